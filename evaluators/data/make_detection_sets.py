"""Writes pii_test.jsonl and secrets_test.jsonl: sentences with generated fake values of each type (valid
checksums, random digits) and hard negatives (order numbers, versions, hashes, UUIDs, dates, prices).
Every record: {"text", "types": [...]} (empty = no finding expected). Run: python evaluators/data/make_detection_sets.py"""

import json
import random
import string
from pathlib import Path

HERE = Path(__file__).parent
rng = random.Random(11)


def luhn_complete(prefix: str, length: int) -> str:
    body = prefix + "".join(rng.choice(string.digits) for _ in range(length - len(prefix) - 1))
    for d in string.digits:
        s = body + d
        total = 0
        for i, ch in enumerate(reversed(s)):
            n = int(ch)
            if i % 2:
                n = n * 2 - 9 if n * 2 > 9 else n * 2
            total += n
        if total % 10 == 0:
            return s
    raise AssertionError


def iban(country: str, length: int) -> str:
    bban = "".join(rng.choice(string.digits) for _ in range(length - 4))
    num = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - num % 97:02d}{bban}"


def group4(s: str) -> str:
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


names = ["alice", "bob.smith", "c.nguyen", "dmitri_k", "eve+news", "f.o'neil".replace("'", "")]
domains = ["example.com", "mail.example.org", "corp.example.co.uk", "uni.example.edu"]
pii = []
for i in range(60):
    e = f"{rng.choice(names)}{rng.randint(1, 99)}@{rng.choice(domains)}"
    pii.append((rng.choice(["Contact me at {}.", "My email is {} if you need it", "Send the invoice to {}",
                            "cc {} on the thread"]).format(e), ["EMAIL"]))
for i in range(60):
    card = luhn_complete(rng.choice(["4", "51", "55", "37", "6011"]), 15 if rng.random() < 0.2 else 16)
    shown = group4(card) if rng.random() < 0.5 else (card if rng.random() < 0.5 else "-".join(card[j:j + 4] for j in range(0, len(card), 4)))
    pii.append((rng.choice(["My card number is {}", "charge {} please", "Card: {} exp 09/27"]).format(shown), ["CREDIT_CARD"]))
for i in range(60):
    c, n = rng.choice([("DE", 22), ("GB", 22), ("FR", 27), ("NL", 18), ("ES", 24), ("IT", 27), ("CH", 21)])
    v = iban(c, n)
    if c == "GB" or c == "NL":
        v = v[:4] + "".join(rng.choice(string.ascii_uppercase) for _ in range(4)) + v[8:]
        num = int("".join(str(int(ch, 36)) for ch in v[4:] + v[:2] + "00"))
        v = f"{v[:2]}{98 - num % 97:02d}{v[4:]}"
    shown = group4(v) if rng.random() < 0.5 else v
    pii.append((rng.choice(["Wire it to IBAN {}", "my iban: {}", "Account {} (Sparkasse)"]).format(shown), ["IBAN"]))
for i in range(60):
    d = lambda k: "".join(rng.choice(string.digits) for _ in range(k))  # noqa: E731
    phone = rng.choice([f"+1 {d(3)} {d(3)} {d(4)}", f"({rng.randint(201, 989)}) {d(3)}-{d(4)}",
                        f"{rng.randint(201, 989)}-{d(3)}-{d(4)}", f"+44 20 {d(4)} {d(4)}", f"+49 30 {d(8)}",
                        f"+33 6 {d(2)} {d(2)} {d(2)} {d(2)}", f"020 {d(4)} {d(4)}", f"+91 {d(5)} {d(5)}"])
    pii.append((rng.choice(["Call me on {}", "my number is {}.", "Phone: {} (mobile)"]).format(phone), ["PHONE_NUMBER"]))
for i in range(20):
    ip = f"{rng.randint(11, 223)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(1, 254)}"
    pii.append((f"The login came from {ip} yesterday", ["IP_ADDRESS"]))
for i in range(20):
    ssn = f"{rng.randint(101, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    pii.append((f"SSN {ssn} on the form", ["US_SSN"]))
negatives = ["Order #{} shipped on 2024-03-{:02d}.", "Version {}.{}.{} is out", "It costs ${}.{:02d}",
             "Commit {} fixed it", "Request id {}", "The meeting is at {}:{:02d} in room {}",
             "We sold {} units in Q{}", "Call the function with x={} and y={}", "Page {} of {}",
             "Temperature was {} degrees at {}m altitude"]
for i in range(150):
    t = rng.choice(negatives)
    args = [rng.randint(1, 99999) for _ in range(t.count("{"))]
    if "Commit" in t:
        args = ["".join(rng.choice("0123456789abcdef") for _ in range(40))]
    if "Request id" in t:
        args = ["-".join("".join(rng.choice("0123456789abcdef") for _ in range(k)) for k in (8, 4, 4, 4, 12))]
    pii.append((t.format(*args), []))

b62 = string.ascii_letters + string.digits
r = lambda k, a=b62: "".join(rng.choice(a) for _ in range(k))  # noqa: E731
sec = []
gens = [
    ("AWS_ACCESS_KEY_ID", lambda: "AKIA" + r(16, string.ascii_uppercase + string.digits)),
    ("GITHUB_TOKEN", lambda: "ghp_" + r(36)), ("GITHUB_TOKEN", lambda: "github_pat_" + r(22) + "_" + r(59)),
    ("GITLAB_TOKEN", lambda: "glpat-" + r(20)), ("SLACK_TOKEN", lambda: "xoxb-" + r(11, string.digits) + "-" + r(24)),
    ("GOOGLE_API_KEY", lambda: "AIza" + r(35)), ("STRIPE_KEY", lambda: "sk_live_" + r(24)),
    ("OPENAI_KEY", lambda: "sk-" + r(48)), ("OPENAI_KEY", lambda: "sk-proj-" + r(64, b62 + "_-")),
    ("ANTHROPIC_KEY", lambda: "sk-ant-api03-" + r(80, b62 + "_-")), ("HUGGINGFACE_TOKEN", lambda: "hf_" + r(34)),
    ("NPM_TOKEN", lambda: "npm_" + r(36)), ("SENDGRID_KEY", lambda: "SG." + r(22) + "." + r(43)),
    ("JWT", lambda: "eyJ" + r(30) + ".eyJ" + r(40) + "." + r(43, b62 + "_-")),
    ("PRIVATE_KEY", lambda: "-----BEGIN RSA PRIVATE KEY-----\nMIIE" + r(60) + "\n-----END RSA PRIVATE KEY-----"),
    ("CONNECTION_STRING", lambda: f"postgres://admin:{r(12)}@db.internal:5432/app"),
    ("PASSWORD", lambda: f"password: {r(10)}!"), ("PASSWORD", lambda: f"my password is {r(8)}#{r(3, string.digits)}"),
]
for i in range(200):
    kind, g = gens[i % len(gens)]
    sec.append((rng.choice(["Here is my key {} can you check why it fails?", "config:\n  token = {}\n",
                            "export VAR={}", "I used {} and got a 401"]).format(g()) if kind not in ("PASSWORD", "PRIVATE_KEY") else
                rng.choice(["Login details, {}", "{}", "For the server: {}"]).format(g()), [kind]))
sec_neg = ["The password reset link expired, how do I get a new one?", "Use an API key from your dashboard.",
           "The SHA-256 is " + "".join(rng.choice("0123456789abcdef") for _ in range(64)),
           "Set OPENAI_API_KEY in your environment.", "Your password must be at least 12 characters.",
           "token = os.environ['TOKEN']", "password: <your password here>", "The UUID is 123e4567-e89b-12d3-a456-426614174000",
           "Passwords should never be stored in plain text.", "The secret to good bread is patience.",
           "Base64 of hello is aGVsbG8=", "ask-me-anything is our channel", "task-management-service-v2 deployed",
           "The token bucket refills at 10 per second.", "Reset your password: click Forgot password."]
for i in range(120):
    sec.append((sec_neg[i % len(sec_neg)], []))
for name, rows in (("pii_test.jsonl", pii), ("secrets_test.jsonl", sec)):
    with open(HERE / name, "w") as f:
        for text, types in rows:
            f.write(json.dumps({"text": text, "types": types}) + "\n")
