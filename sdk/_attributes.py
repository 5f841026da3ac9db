"""Names of every span attribute and metric the SDK writes, in one place.

They follow the OpenTelemetry GenAI semantic conventions, plus one project attribute,
:data:`PHAROS_COST_USD`, which Pharos' collector reads as the price of a call.
"""

from __future__ import annotations

__all__ = [name for name in dir() if name.isupper()]  # filled in at the bottom

# --- GenAI span attributes -------------------------------------------------------------
OPERATION_NAME = "gen_ai.operation.name"
PROVIDER_NAME = "gen_ai.provider.name"
REQUEST_MODEL = "gen_ai.request.model"
REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens"
REQUEST_TEMPERATURE = "gen_ai.request.temperature"
REQUEST_TOP_P = "gen_ai.request.top_p"
REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty"
REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty"
REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences"
REQUEST_SEED = "gen_ai.request.seed"
REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count"
REQUEST_STREAM = "gen_ai.request.stream"
REQUEST_ENCODING_FORMATS = "gen_ai.request.encoding_formats"
OUTPUT_TYPE = "gen_ai.output.type"
RESPONSE_MODEL = "gen_ai.response.model"
RESPONSE_ID = "gen_ai.response.id"
RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons"
RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk"
USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens"
USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens"
USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens"
USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens"
CONVERSATION_ID = "gen_ai.conversation.id"
AGENT_NAME = "gen_ai.agent.name"
TOOL_NAME = "gen_ai.tool.name"
TOOL_CALL_ID = "gen_ai.tool.call.id"
DATA_SOURCE_ID = "gen_ai.data_source.id"
INPUT_MESSAGES = "gen_ai.input.messages"
OUTPUT_MESSAGES = "gen_ai.output.messages"
SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions"
# retrieval: what was retrieved, for the groundedness evaluator (content capture only)
RETRIEVAL_DOCUMENTS = "gen_ai.retrieval.documents"
ERROR_TYPE = "error.type"
SERVER_ADDRESS = "server.address"
SERVER_PORT = "server.port"
USER_ID = "user.id"

# --- Evaluation (feedback) event ---------------------------------------------------------
EVALUATION_EVENT = "gen_ai.evaluation.result"
EVALUATION_NAME = "gen_ai.evaluation.name"
EVALUATION_SCORE_VALUE = "gen_ai.evaluation.score.value"
EVALUATION_SCORE_LABEL = "gen_ai.evaluation.score.label"
EVALUATION_EXPLANATION = "gen_ai.evaluation.explanation"

# --- Pharos' own attributes ----------------------------------------------------------------
PHAROS_COST_USD = "pharos.cost.usd"
PHAROS_TIME_PER_OUTPUT_CHUNK = "pharos.response.time_per_output_chunk"  # seconds, mean after the first chunk
PHAROS_OUTPUT_CHUNKS = "pharos.response.output_chunks"
PHAROS_STREAM_ABANDONED = "pharos.stream.abandoned"
PHAROS_GPU_UTILIZATION = "pharos.gpu.utilization"  # max fraction 0..1 over the call, across devices
PHAROS_GPU_MEMORY_USED = "pharos.gpu.memory.used"  # max bytes in use over the call, summed over devices
PHAROS_SCORE_ID = "pharos.score.id"
PHAROS_SCORE_SOURCE = "pharos.score.source"
PHAROS_SCORE_TARGET_TRACE_ID = "pharos.score.target.trace_id"
PHAROS_SCORE_TARGET_SPAN_ID = "pharos.score.target.span_id"
PHAROS_SCORE_RESPONSE_ID = "pharos.score.response_id"

# --- Metrics -----------------------------------------------------------------------------------
METRIC_TOKEN_USAGE = "gen_ai.client.token.usage"
METRIC_OPERATION_DURATION = "gen_ai.client.operation.duration"
METRIC_TIME_TO_FIRST_CHUNK = "gen_ai.client.operation.time_to_first_chunk"
TOKEN_TYPE = "gen_ai.token.type"

# Bucket boundaries given by the GenAI metrics conventions.
TOKEN_BUCKETS = (1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864)
DURATION_BUCKETS = (0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92)

METRIC_GPU_UTILIZATION = "hw.gpu.utilization"
METRIC_GPU_MEMORY_USAGE = "hw.gpu.memory.usage"
METRIC_GPU_MEMORY_LIMIT = "hw.gpu.memory.limit"
METRIC_GPU_POWER = "hw.power"
METRIC_GPU_ENERGY = "hw.energy"
METRIC_GPU_TEMPERATURE = "hw.temperature"
METRIC_GPU_PROCESS_MEMORY = "pharos.gpu.process.memory.usage"

__all__ = [name for name in list(globals()) if name.isupper()]
