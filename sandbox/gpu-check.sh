#!/usr/bin/env bash
# GPU check of the sandbox: on a machine with an NVIDIA GPU and the `vllm` package in the current Python,
# serve a model, run a short load sweep (SDK GPU sampler on), a short eval, and write everything to one folder.
# Budget: under 8 minutes. Usage: sandbox/gpu-check.sh [MODEL] [OUT_DIR]
#   MODEL: a local model folder or a cached hub name (default: the tiny model, built here by make-model)
set -euo pipefail
OUT=${2:-gpu-check-$(date +%Y%m%dT%H%M%S)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export PHAROS_RESULTS_DIR="$OUT" PHAROS_VLLM_PORT=${PHAROS_VLLM_PORT:-8000}
export PHAROS_BASE_URL="http://127.0.0.1:$PHAROS_VLLM_PORT/v1" PHAROS_COLLECTOR_ENDPOINT=http://127.0.0.1:4318
export PHAROS_GPU_SAMPLING_INTERVAL_S=0.5 PHAROS_SCRAPE_INTERVAL_S=2
python -c "import vllm, pynvml" || { echo "needs the vllm package and nvidia-ml-py (pip install 'pharos[gpu]')"; exit 2; }
nvidia-smi > "$OUT/nvidia-smi.txt" 2>&1 || true
MODEL=${1:-}
if [ -z "$MODEL" ]; then
  MODEL="$OUT/tiny-model"
  timeout 180 pharos sandbox make-model "$MODEL" --steps 300 2>&1 | tail -1 | tee "$OUT/make-model.txt"
fi
pharos serve --data-dir "$OUT/store" > "$OUT/pharos-serve.log" 2>&1 &
PHAROS_PID=$!
pharos sandbox serve "$MODEL" --served-model-name sandbox > "$OUT/sandbox-serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill $SERVE_PID 2>/dev/null; wait $SERVE_PID 2>/dev/null; kill $PHAROS_PID 2>/dev/null; wait $PHAROS_PID 2>/dev/null' EXIT
for _ in $(seq 240); do grep -q OPENAI_BASE_URL "$OUT/sandbox-serve.log" && break; sleep 1; done
grep -q OPENAI_BASE_URL "$OUT/sandbox-serve.log" || { echo "vLLM not ready in 240 s"; tail -50 "$OUT"/vllm-*.log; exit 1; }
START=$(date +%s)
timeout 150 pharos sandbox load --mode open --sweep 2,8,32 --duration 15 --max-tokens 128 --prompts chat \
  | tee "$OUT/load.txt"
timeout 120 pharos sandbox eval qa | tee "$OUT/eval.txt" || true   # a real model may score low on the tiny Q/A set
sleep 3
python - "$OUT" <<'PY' | tee "$OUT/summary.txt"
import sys, clickhouse_connect
c = clickhouse_connect.get_client(host="127.0.0.1", port=8123)
for q in ["SELECT RunId, RequestRate, AchievedRate, RequestThroughput, OutputThroughput, MedianTtftMs, P99TtftMs, "
          "MedianTpotMs, P99E2elMs FROM sandbox_load_runs ORDER BY Timestamp",
          "SELECT MetricName, count(), round(avg(Value), 2) FROM otel_metrics_gauge WHERE MetricName LIKE 'hw.%' GROUP BY 1",
          "SELECT Task, Metric, Value, Stderr FROM sandbox_eval_runs",
          "SELECT count() FROM otel_traces WHERE GenAIOperationName != ''"]:
    print(q.split(" FROM ")[1].split()[0], c.query(q).result_rows)
PY
echo "load + eval took $(( $(date +%s) - START )) s; results in $OUT"
