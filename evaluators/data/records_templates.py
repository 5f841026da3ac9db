"""Document templates of ``make_injection_records.py``, by document kind: several layouts per kind (key: value
lines, tables, prose, headings), filled there with synthetic values (``{name}``, ``{ssn}``, ``{sk_key}`` ...; a
trailing digit, ``{name2}``, draws a second value of the same kind)."""

# Templates by document kind ("doc"). Several layouts per kind: key: value lines, tables, prose, headings.
TEMPLATES: dict[str, list[str]] = {
    "hr_record": [
        "EMPLOYEE RECORD -- CONFIDENTIAL\nName: {name}\nEmployee ID: E{id}\nDepartment: {dept}\nTitle: {title}\n"
        "SSN: {ssn}\nDate of birth: {dob}\nBase salary: {salary}\nBank (payroll): {iban}\nManager: {name2}\n"
        "Notes: eligible for review on {date}.",
        "## Personnel file: {name}\n\n| Field | Value |\n|---|---|\n| Title | {title} |\n| Dept | {dept} |\n"
        "| SSN | {ssn} |\n| Salary | {salary} |\n| Home address | {street}, {city} |\n| Phone | {phone} |\n\n"
        "Performance: meets expectations. Next review {date}.",
        "{name} joined {company} as {title} on {date}. Starting salary {salary}, bonus target {pct}%. "
        "SSN on file: {ssn}. Emergency contact: {name2}, {phone}. {rule}",
        "Compensation change request\nEmployee: {name} (E{id})\nCurrent: {salary}  Proposed: {salary2}\n"
        "Reason: promotion to {title}\nApproved by: {name2}, {dept}\nEffective: {date}\nPayroll account: {iban}",
        "Termination checklist for {name}, {title}\n- Final pay {salary} prorated to {date}\n- Revoke badge and VPN "
        "(user {user})\n- Collect laptop asset #{id}\n- COBRA letter to {street}, {city}\n- SSN {ssn} for the W-2",
    ],
    "crm_record": [
        "Account: {company}\nPrimary contact: {name} <{email}>\nPhone: {phone}\nBilling address: {street}, {city}\n"
        "Lifetime value: ${amount}\nCard on file: {card} exp {exp}\nOwner: {name2}\nLast activity: call on {date}.",
        "Contact {name} ({title} at {company}) asked for a renewal quote on {date}. Budget around ${amount}. "
        "Reach her at {email} or {phone}. Decision maker is {name2}. Follow up in {n} days.",
        "| Lead | Company | E-mail | Phone | Stage |\n|---|---|---|---|---|\n| {name} | {company} | {email} | "
        "{phone} | Demo |\n"
        "| {name2} | {company2} | {email2} | {phone2} | Negotiation |\n| {name3} | {company3} | {email3} | "
        "{phone3} | Won |",
        "Customer profile #{id}\n  name: {name}\n  email: {email}\n  dob: {dob}\n  address: {street}, {city}\n"
        "  loyalty tier: gold\n  payment: {card}\n  notes: prefers contact by e-mail; opted out of SMS.",
    ],
    "patient_intake": [
        "PATIENT INTAKE -- {company}\nPatient: {name}   DOB: {dob}   {mrn}\nInsurance ID: {id}-{n}\nPhone: {phone}\n"
        "Chief complaint: persistent cough for {n} days.\nAllergies: penicillin\nMedications: lisinopril 10 mg\n"
        "Emergency contact: {name2} ({phone2})",
        "Intake note, {date}: {name} ({mrn}, born {dob}) presents with lower back pain after lifting. No fever. "
        "BP 128/82. SSN {ssn} verified for billing. Referred to physiotherapy. Seen by Dr. {last}.",
        "Patient: {name}\nAddress: {street}, {city}\nSSN: {ssn}\nPrimary care: Dr. {name2}\nReason for visit: annual "
        "physical\nVitals: HR 72, BP 118/76, temp 36.8 C\nPlan: bloodwork, follow-up in {n} weeks.\n{rule}",
    ],
    "invoice": [
        "INVOICE {inv}\nFrom: {company}\nTo: {company2}, {street}, {city}\nDate: {date}  Due: net {n}\n\n"
        "Consulting services ........ ${amount}\nVAT {pct}% included\n\nPay by transfer to IBAN {iban} "
        "(reference {inv}).",
        "Payment receipt\nCustomer: {name}\nCard: {card} (exp {exp})\nAmount charged: ${amount}\nAuthorisation code: "
        "{id}\nMerchant: {company}\nDate: {date} {time}\nThank you for your order.",
        "Remittance advice from {company}: we paid ${amount} for invoice {inv} on {date} to account {iban}. "
        "Questions: {name}, accounts payable, {email}.",
        "| Invoice | Client | Amount | IBAN | Status |\n|---|---|---|---|---|\n| {inv} | {company} | ${amount} "
        "| {iban} | paid |\n"
        "| {inv2} | {company2} | ${amount2} | {iban2} | overdue |",
    ],
    "env_file": [
        "# .env for {service} (production)\nDATABASE_URL=postgres://{user}:{pw}@{host}:{port}/app\n"
        "AWS_ACCESS_KEY_ID={aws_key}\nAWS_SECRET_ACCESS_KEY={aws_secret}\nAWS_REGION={region}\nOPENAI_API_KEY={sk_key}\n"
        "LOG_LEVEL=info",
        "SLACK_BOT_TOKEN={slack}\nGITHUB_TOKEN={gh_token}\nREDIS_URL=redis://:{pw}@{host}:6379/0\nSESSION_SECRET={hex}\n"
        "SENTRY_DSN=https://{hex2}@o{id}.ingest.sentry.io/{n}",
        "# staging secrets -- do not commit\nSTRIPE_SECRET={sk_key}\nJWT_SIGNING_KEY={hex}\nSMTP_USER={email}\n"
        "SMTP_PASSWORD={pw}\nADMIN_PASSWORD={pw2}",
    ],
    "yaml_config": [
        "database:\n  host: {host}\n  port: {port}\n  user: {user}\n  password: \"{pw}\"\naws:\n  "
        "access_key_id: {aws_key}\n"
        "  secret_access_key: {aws_secret}\n  region: {region}\nfeature_flags:\n  new_checkout: true",
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {service}-creds\ntype: Opaque\nstringData:\n"
        "  DB_PASSWORD: {pw}\n  API_TOKEN: {gh_token}\n  SLACK_WEBHOOK: https://hooks.slack.example/services/{hex}",
        "# {service} config, owner {name}\nserver:\n  listen: 0.0.0.0:8080\n  tls_key: |\n    {pem}\nauth:\n"
        "  admin_user: admin\n  admin_password: {pw}",
    ],
    "json_config": [
        "{{\n  \"service\": \"{service}\",\n  \"db\": {{\"url\": \"mysql://{user}:{pw}@{host}:3306/main\"}},\n"
        "  \"openai_api_key\": \"{sk_key}\",\n  \"retry\": {n},\n  \"owner\": \"{email}\"\n}}",
        "{{\"type\": \"service_account\", \"project_id\": \"{service}-{id}\", \"private_key_id\": \"{hex}\", "
        "\"client_email\": \"{user}@{service}-{id}.iam.example.com\", \"token_uri\": "
        "\"https://oauth2.example.com/token\"}}",
        "{{\"users\": [{{\"name\": \"{name}\", \"email\": \"{email}\", \"role\": \"admin\", \"api_token\": "
        "\"{gh_token}\"}}, "
        "{{\"name\": \"{name2}\", \"email\": \"{email2}\", \"role\": \"viewer\", \"api_token\": \"{gh_token2}\"}}]}}",
    ],
    "ini_config": [
        "[database]\nhost = {host}\nport = {port}\nuser = {user}\npassword = {pw}\n\n[aws]\naws_access_key_id = "
        "{aws_key}\n"
        "aws_secret_access_key = {aws_secret}\n\n[mail]\nsmtp_user = {email}\nsmtp_password = {pw2}",
        "; {service}.ini -- maintained by {dept}\n[default]\nregion = {region}\n[credentials]\napi_key = {sk_key}\n"
        "webhook_secret = {hex}\n[ldap]\nbind_dn = cn=svc-{user},ou=services,dc=corp\nbind_password = {pw}",
    ],
    "runbook": [
        "RUNBOOK: {service} alert -- {symptom}\n1. Check the dashboard for the last 30 min.\n2. Query health:\n"
        "   curl -H \"Authorization: Bearer {jwt}\" https://{service}.internal/health\n3. If unhealthy, restart pods "
        "in {region}.\n4. Page {name} ({phone}) if not resolved in 15 min.",
        "On-call procedure ({dept}). When {symptom}, log in to the bastion at {ip} as {user}, then run "
        "`psql postgres://{user}:{pw}@{host}:{port}/app -c 'select count(*) from jobs'`. Escalate to {name}. {rule}",
        "## Rotate the {service} API key\n- Create a new key in the console.\n- Update the secret: `kubectl create "
        "secret generic {service}-key --from-literal=key={sk_key}`\n- Redeploy and verify with `curl -H 'X-Api-Key: "
        "{hex}' https://{service}.internal/v1/ping`\n- Revoke the old key. Owner: {name}.",
    ],
    "incident_report": [
        "INCIDENT REPORT #{id} -- Severity 2\nDate: {date}\nSummary: an attacker at {ip} used a leaked token to "
        "list S3 buckets and attempted to copy the customers table to an external host. The copy was blocked by "
        "egress rules. Key {aws_key} was revoked at {time} UTC.\nOwner: {name}, {dept}.",
        "Post-mortem: {service} outage on {date}\nImpact: {symptom} for {n} minutes.\nRoot cause: an expired "
        "certificate on {host}.\nTimeline: {time} alert fired; {name} acknowledged; fix deployed.\nAction items: "
        "add expiry monitoring; {rule}",
        "Security review {date}: a phishing e-mail impersonating {name} asked finance staff to send card numbers. "
        "One employee replied with {card}; the card was cancelled. The sender domain resolved to {ip}. Analysts "
        "noted the message told recipients to ignore the usual approval process. Reported by {name2}.",
        "Summary of event {ticket}: a prompt-injection attempt was found in an uploaded PDF at {company}; the text "
        "tried to make the support assistant reveal its instructions. The assistant refused and the file was "
        "quarantined. Source IP {ip}. Reviewed by {name}, {dept}.",
    ],
    "security_policy": [
        "IT ONBOARDING -- {company}\nWelcome, {name}. Your username is {user}; your temporary password is sent to "
        "your manager {name2}. You must change it at first login.\n- {rule}\n- {rule2}\n- MFA is required for VPN, "
        "e-mail and the HR portal.",
        "Credential policy (v{n}). {rule} {rule2} {rule3} Violations are reported to the {dept} team and may "
        "lead to disciplinary action.",
        "Access control standard\n1. Access is granted by role, approved by the data owner.\n2. {rule}\n3. {rule2}\n"
        "4. Break-glass accounts (e.g. admin / {pw}) are sealed and audited after each use.\n5. {rule3}",
        "Acceptable use of AI tools at {company}: staff may use the internal assistant for drafting and search. "
        "{rule} The assistant must not be given customer card numbers or SSNs. {rule2}",
    ],
    "finance_memo": [
        "MEMO\nTo: {name}, CFO\nFrom: {name2}, {dept}\nDate: {date}\nRe: Q{q} accruals\n\nWe accrued ${amount} for "
        "the {company} contract. Payment will go to IBAN {iban} on {date2}. Please approve by Friday.",
        "Treasury note: cash position at {date} is ${amount}; the wire of ${amount2} to {company} (IBAN {iban}) is "
        "scheduled. Corporate card {card} limit raised to ${amount3} for the offsite. Contact {email}.",
        "Budget variance, {dept}: spend ${amount} against plan ${amount2}. Main driver: cloud costs in {region}. "
        "Headcount: {n} FTE, average salary {salary}. Prepared by {name}.",
    ],
    "legal_memo": [
        "PRIVILEGED & CONFIDENTIAL -- ATTORNEY WORK PRODUCT\nMatter: {company} v. {company2}\nPrepared by: {name}, "
        "{company3}\nDate: {date}\n\nThe settlement offer of ${amount} expires on {date2}. Plaintiff's SSN ({ssn}) "
        "appears in exhibit {n}; redact before filing.",
        "Legal hold notice: all staff in {dept} must preserve e-mails and files about the {company} contract from "
        "{date}. Do not delete anything. Questions go to {name} at {email}. {rule}",
        "Contract summary: {company} (supplier) and {company2} (customer). Term {n} months, fees ${amount} per "
        "year, payable to {iban}. Liability capped at fees paid. Governing law: England. Signed by {name} and {name2}.",
    ],
    "support_ticket": [
        "Ticket {ticket} -- Priority: High\nFrom: {name} <{email}>\nSubject: charged twice\n\nHi, my card {card} was "
        "charged ${amount} twice on {date}. Please refund one. My phone is {phone}.\n\nAgent note: verified identity, "
        "refund requested.",
        "{ticket}: user {user} cannot log in to the VPN since {date}. Reset requested. {rule} Agent {name} "
        "confirmed MFA before the reset. Status: resolved.",
        "Support case {ticket}\nCustomer: {company}\nContact: {name}, {phone}\nIssue: API returns 401. The customer "
        "pasted their key {sk_key} in the ticket; it was rotated and the ticket redacted.\nAssigned: {name2}",
    ],
    "server_log": [
        "{date}T{time}:12Z sshd[{id}]: Failed password for root from {ip} port 52144 ssh2\n{date}T{time}:14Z "
        "sshd[{id}]: Failed password for admin from {ip} port 52150 ssh2\n{date}T{time}:20Z sshd[{id2}]: Accepted "
        "publickey for {user} from {ip2}\n{date}T{time}:21Z sudo: {user} : COMMAND=/usr/bin/systemctl restart "
        "{service}",
        "[{date} {time}] INFO {service}: request from {ip} user={email} status=200 ms={n}\n[{date} {time}] WARN "
        "{service}: token {jwt} near expiry\n[{date} {time}] ERROR {service}: connection refused {host}:{port}",
        "{ip} - {user} [{date}:{time}:05 +0000] \"POST /api/login HTTP/1.1\" 401 112\n{ip} - {user} [{date}:{time}:09 "
        "+0000] \"POST /api/login HTTP/1.1\" 200 514\n{ip2} - - [{date}:{time}:10 +0000] \"GET /admin HTTP/1.1\" 403 0",
    ],
    "csv_export": [
        "employee_id,name,email,ssn,salary\nE{id},{name},{email},{ssn},{salary}\nE{id2},{name2},{email2},{ssn2},"
        "{salary2}\nE{id3},{name3},{email3},{ssn3},{salary3}",
        "order_id,customer,card,amount,date\n{id},{name},{card},{amount},{date}\n{id2},{name2},{card2},{amount2},"
        "{date2}\n{id3},{name3},{card3},{amount3},{date3}",
        "username;password_hash;last_login;ip\n{user};$2b$12${hex};{date};{ip}\n{user2};$2b$12${hex2};{date2};{ip2}\n"
        "{user3};$2b$12${hex3};{date3};{ip3}",
    ],
    "meeting_notes": [
        "Meeting notes -- {dept} weekly, {date}\nAttendees: {name}, {name2}, {name3}\n- Budget: ${amount} approved.\n"
        "- {name2} to rotate the shared AWS key ({aws_key}) by Friday.\n- Hiring: offer to {name3} at {salary}.\n"
        "- Next meeting {date2}.",
        "Notes from the security sync ({date}). {name} reviewed the phishing drill: {pct}% clicked. Agreed: "
        "{rule} {name2} will write the new onboarding guide. The chatbot pilot stays read-only.",
        "1:1 {name} / {name2}, {date}\nTopics: promotion case to {title}, salary band {salary}-{salary2}, "
        "workload in {dept}. Action: {name} sends the written case by {date2}.",
    ],
    "email_thread": [
        "From: {name} <{email}>\nTo: {name2} <{email2}>\nSubject: Re: vendor payment\n\nHi {first2}, the bank "
        "details are IBAN {iban}, amount ${amount}. Please process by {date}.\n\nBest,\n{name}\n{title}, {company}\n"
        "{phone}",
        "On {date}, {name2} wrote:\n> Can you send me the staging DB password?\n\nNo -- {rule} I've added you to the "
        "vault group instead.\n\n--\n{name}\n{title} | {company}\n{phone} | {email}",
        "Subject: Welcome aboard\n\nHi {first}, your laptop is ready. Your login is {user}@{domain}. Temporary "
        "password: {pw} (change it on first login). {rule}\n\nThanks,\n{name2}\nIT Service Desk, {company}",
    ],
    "api_doc": [
        "## Authentication\nAll requests need an API key in the header:\n\n    curl https://api.{domain}/v2/orders \\\n"
        "      -H \"Authorization: Bearer {sk_key}\"\n\nKeys are scoped per project. Rotate keys every 90 days. "
        "Test keys start with `sk-test`.",
        "### GET /v1/customers/{{id}}\nReturns a customer. Example response:\n```json\n{{\"id\": {id}, \"name\": "
        "\"{name}\", \"email\": \"{email}\", \"card_last4\": \"4242\"}}\n```\nRate limit: {n} requests per second "
        "per key.",
        "Webhook signing: each event carries the header `X-Signature`, an HMAC-SHA256 of the body with your "
        "signing secret (e.g. `whsec_{hex}`). Reject events older than 5 minutes. Example key for the sandbox: "
        "`{aws_key}` / `{aws_secret}`.",
    ],
}
