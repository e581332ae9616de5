"""Secrets that must be masked, and look-alikes that must not be (docs/security.md).

Every true positive names the secret part that must disappear; every false positive is a line
that must come out of redaction unchanged. The values are made up (AWS's documented example
keys, random strings), never real credentials.
"""

from __future__ import annotations

AWS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
AWS_TEMP_KEY_ID = "ASIAY34FZKBOKMUTVV7A"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SESSION_TOKEN = (
    "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDh2ZkZ8vQy7Cz6f9P0xXrK4Ld3Qq+Vb1o"
    "Zt6m5u9gY3wIgV5sO2Q7hK+2a3y4fG0sXw1pN8qK9cRz7xJkT1vL0Yb0q6gIIg///////////ARAAGgwxMjM0NTY3"
    "ODkwMTIiDK1E3xq9Zb8Jm2vT0yq+Ak3t6Hh8x4c0/0r5n2Qz=="
)
GITHUB_TOKEN = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"
GITHUB_PAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKL"
GITLAB_TOKEN = "glpat-" + "xY9_zW8vU7tS6rQ5pO4n"
SLACK_TOKEN = "xoxb-" + "1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
SLACK_WEBHOOK_PATH = "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ."
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF0qJ1Yt9v8e2r7S5b1nQk0y3xZ8Ue1b"
# Made-up values in each service's real format (lengths and alphabets), assembled so that no
# secret scanner mistakes this file for a leak.
SENDGRID_KEY = "SG." + "q3Rz8kL1mN0pX5vB7cD9fA" + "." + "hJ2kL4mN6pQ8rS0tU1vW3xY5zA7bC9dE1fG3hJ5kL7m"
OPENAI_PROJECT_KEY = "sk-" + "proj-" + "Zx81bQ2cR3dS4eT5fU6gV7hW8iX9jY0kZ1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2w"
OPENAI_LEGACY_KEY = "sk-" + "aB3dE5gH7jK9mN1pQ3sT" + "T3BlbkFJ" + "uV5xY7zA9cD1fG3hJ5kL"
ANTHROPIC_KEY = (
    "sk-"
    + "ant-api03-"
    + "Qm9vYmFyYmF6cXV4LXRlc3Qta2V5LW5vdC1yZWFsLTEyMzQ1Njc4OTAtYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXotQUFB"
    + "AA"
)
TWILIO_API_KEY = "SK" + "2f9c4e1a7b3d5f8e0a6c2b4d9e1f3a5c"
TWILIO_ACCOUNT_SID = "AC" + "7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f90"
TWILIO_AUTH_TOKEN = "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
DOCKER_AUTH = "ZGVwbG95OnMzY3IzdC1yZWdpc3RyeS1wYXNz"  # base64 of deploy:s3cr3t-registry-pass
AZURE_ACCOUNT_KEY = "Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8xMjM0NTY3ODkwYWJjZGVmZ2hpams9PQ=="
AZURE_SAS_SIGNATURE = "aBcD3fGh1jKlMn0pQrStUvWxYz%2B12345%3D"
OLD_SESSION_TOKEN = "FwoGZXIvYXdzE" + "Bsaddf9/ZTJlNzY0ZjgtNGJiMy00YmEyLWJhN2UtM2VjYjAyYjRlMjBhIhD6/vL0tZ+Q8bL6w2U7xO9kKvAB"

TRUE_POSITIVES: dict[str, tuple[str, list[str]]] = {
    "access-key-id": (f"using key {AWS_KEY_ID} for s3", [AWS_KEY_ID]),
    "temporary-key-id": (f"AWS_ACCESS_KEY_ID={AWS_TEMP_KEY_ID}", [AWS_TEMP_KEY_ID]),
    "key-id-inside-identifier": (f"AWS_KEY_{AWS_KEY_ID}_ROTATED", [AWS_KEY_ID]),
    "credentials-file": (
        f"[default]\naws_access_key_id = {AWS_KEY_ID}\naws_secret_access_key = {AWS_SECRET}",
        [AWS_KEY_ID, AWS_SECRET],
    ),
    "env-secret": (f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", [AWS_SECRET]),
    "csv-key-pair": (f"User,{AWS_KEY_ID},{AWS_SECRET}", [AWS_KEY_ID, AWS_SECRET]),
    "space-separated-pair": (f"{AWS_KEY_ID} {AWS_SECRET}", [AWS_KEY_ID, AWS_SECRET]),
    "sts-json": (
        f'{{"Credentials": {{"AccessKeyId": "{AWS_TEMP_KEY_ID}", "SecretAccessKey": "{AWS_SECRET}", '
        f'"SessionToken": "{SESSION_TOKEN}", "Expiration": "2026-11-29T11:00:00Z"}}}}',
        [AWS_TEMP_KEY_ID, AWS_SECRET, SESSION_TOKEN[:40]],
    ),
    "session-token-env": (f"export AWS_SESSION_TOKEN={SESSION_TOKEN}", [SESSION_TOKEN[:40]]),
    "session-token-ini": (f"aws_session_token = {SESSION_TOKEN}", [SESSION_TOKEN[:40]]),
    "security-token-header": (f"X-Amz-Security-Token: {SESSION_TOKEN}", [SESSION_TOKEN[:40]]),
    "escaped-json-in-log": ('body={\\"password\\":\\"s3cr3t pass phrase\\"}', ["s3cr3t", "phrase"]),
    "password-equals": ("DB_PASSWORD=hunter2 ./migrate.sh", ["hunter2"]),
    "password-yaml-with-spaces": ("  password: correct horse battery staple", ["correct", "staple"]),
    "password-quoted-json": ('{"user": "app", "password": "p@ss w0rd!"}', ["p@ss", "w0rd"]),
    "password-single-quotes": ("connect(password='Tr0ub4dor&3')", ["Tr0ub4dor"]),
    "passwd-and-pwd": ("MYSQL_PWD=q9Zr7m db_pwd=xyz789 passwd: qwerty", ["q9Zr7m", "xyz789", "qwerty"]),
    "password-flag": ("mysql -u root --password s3cret -h db", ["s3cret"]),
    "password-flag-equals": ("psql --password=s3cret2", ["s3cret2"]),
    "connection-string": ("Server=db;Database=shop;User Id=app;Password=Sup3rS3cret;", ["Sup3rS3cret"]),
    "api-key": ("x-api-key: 9c1e7a3b5d0f2468ace1 api_key=k3y apiKey=k4y", ["9c1e7a3b5d0f2468ace1", "k3y", "k4y"]),
    "client-secret": ("OAUTH_CLIENT_SECRET=cl13nt-s3cr3t", ["cl13nt-s3cr3t"]),
    "generic-token": ("token=abc.def.ghi&x=1 access_token: tok123 refresh-token=r3fr3sh", ["abc.def.ghi", "tok123", "r3fr3sh"]),
    "url-userinfo": ("git clone https://deploy:s3cr3tpw@git.example.com/org/repo.git", ["s3cr3tpw"]),
    "url-userinfo-db": ("DATABASE_URL=postgres://app:pa55word@db.internal:5432/shop", ["pa55word"]),
    "bearer": (f"curl -H 'Authorization: Bearer {JWT}' https://api", [JWT[:30], "SflKxwRJ"]),
    "bearer-opaque": ("Bearer 4f9a1c2b3d4e5f60718293a4b5c6d7e8", ["4f9a1c2b3d4e5f60718293a4b5c6d7e8"]),
    "basic-auth": ("Authorization: Basic dXNlcjpwYXNzd29yZA==", ["dXNlcjpwYXNzd29yZA=="]),
    "basic-auth-bare": ("sending Basic YWRtaW46aHVudGVyMg== to proxy", ["YWRtaW46aHVudGVyMg=="]),
    "authorization-token-scheme": ("Authorization: token tkn8f3e1d0c9b7a65", ["tkn8f3e1d0c9b7a65"]),
    "sigv4-header": (
        f"Authorization: AWS4-HMAC-SHA256 Credential={AWS_KEY_ID}/20261129/us-east-1/s3/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024",
        [AWS_KEY_ID, "fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024"],
    ),
    "presigned-url": (
        "https://bucket.s3.amazonaws.com/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        f"{AWS_KEY_ID}%2F20261129%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261129T000000Z&X-Amz-Expires=3600"
        f"&X-Amz-Security-Token={SESSION_TOKEN[:60]}&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404",
        [AWS_KEY_ID, SESSION_TOKEN[:60], "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"],
    ),
    "private-key-block": (
        f"-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n{PRIVATE_KEY_BODY[::-1]}\n-----END RSA PRIVATE KEY-----\nnext",
        [PRIVATE_KEY_BODY, PRIVATE_KEY_BODY[::-1]],
    ),
    "openssh-private-key": (
        f"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA{PRIVATE_KEY_BODY}\n-----END OPENSSH PRIVATE KEY-----",
        [PRIVATE_KEY_BODY],
    ),
    "private-key-cut-at-start": (
        f"{PRIVATE_KEY_BODY}\n{PRIVATE_KEY_BODY[::-1]}\nAb==\n-----END PRIVATE KEY-----",
        [PRIVATE_KEY_BODY],
    ),
    "private-key-unterminated": (f"-----BEGIN EC PRIVATE KEY-----\n{PRIVATE_KEY_BODY}", [PRIVATE_KEY_BODY]),
    "pgp-private-key": (
        f"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n{PRIVATE_KEY_BODY}\n-----END PGP PRIVATE KEY BLOCK-----",
        [PRIVATE_KEY_BODY],
    ),
    "github-token": (f"GITHUB_TOKEN={GITHUB_TOKEN} and bare {GITHUB_TOKEN}", [GITHUB_TOKEN]),
    "github-pat": (f"using {GITHUB_PAT}", [GITHUB_PAT]),
    "github-in-url": (f"https://x-access-token:{GITHUB_TOKEN}@github.com/org/repo", [GITHUB_TOKEN]),
    "gitlab-token": (f"PRIVATE-TOKEN: {GITLAB_TOKEN}", [GITLAB_TOKEN]),
    "slack-token": (f"posting with {SLACK_TOKEN}", [SLACK_TOKEN]),
    "slack-webhook": (f"curl -X POST https://hooks.slack.com/services/{SLACK_WEBHOOK_PATH}", [SLACK_WEBHOOK_PATH]),
    "jwt-bare": (f"id_token {JWT}", [JWT[:30]]),
    "private-key-cut-with-stdout-prefixes": (
        f"[stdout]{PRIVATE_KEY_BODY}\n[stdout]{PRIVATE_KEY_BODY[::-1]}\n[stdout]Ab==\n"
        "[stdout]-----END RSA PRIVATE KEY-----\n[stdout]done",
        [PRIVATE_KEY_BODY, PRIVATE_KEY_BODY[::-1]],
    ),
    "private-key-cut-with-stderr-prefixes": (
        f"[stderr]{PRIVATE_KEY_BODY}\n[stderr]{PRIVATE_KEY_BODY[::-1]}\n[stderr]-----END OPENSSH PRIVATE KEY-----",
        [PRIVATE_KEY_BODY, PRIVATE_KEY_BODY[::-1]],
    ),
    "private-key-cut-in-the-deployments-log": (
        f"[2026-11-28 09:14:03.123] [d-4HQ8N2ZRT][stdout]{PRIVATE_KEY_BODY}\n"
        f"[2026-11-28 09:14:03.124] [d-4HQ8N2ZRT][stdout]{PRIVATE_KEY_BODY[::-1]}\n"
        "[2026-11-28 09:14:03.125] [d-4HQ8N2ZRT][stdout]-----END PRIVATE KEY-----",
        [PRIVATE_KEY_BODY, PRIVATE_KEY_BODY[::-1]],
    ),
    "private-key-block-with-prefixes": (
        f"[stdout]-----BEGIN RSA PRIVATE KEY-----\n[stdout]{PRIVATE_KEY_BODY}\n[stdout]-----END RSA PRIVATE KEY-----",
        [PRIVATE_KEY_BODY],
    ),
    "docker-config-auth": (
        f'{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{DOCKER_AUTH}"}}}}}}',
        [DOCKER_AUTH],
    ),
    "docker-config-auth-escaped-in-a-log": (
        f'config={{\\"auths\\":{{\\"ghcr.io\\":{{\\"auth\\":\\"{DOCKER_AUTH}\\"}}}}}}',
        [DOCKER_AUTH],
    ),
    "azure-storage-connection-string": (
        f"DefaultEndpointsProtocol=https;AccountName=shopassets;AccountKey={AZURE_ACCOUNT_KEY};EndpointSuffix=core.windows.net",
        [AZURE_ACCOUNT_KEY[:30]],
    ),
    "azure-service-bus-connection-string": (
        f"Endpoint=sb://shop.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={AZURE_ACCOUNT_KEY}",
        [AZURE_ACCOUNT_KEY[:30]],
    ),
    "azure-sas-url": (
        f"GET https://shopassets.blob.core.windows.net/rel/app.zip?sv=2022-11-02&ss=b&sp=r&se=2026-12-01T00:00:00Z&sig={AZURE_SAS_SIGNATURE}",
        [AZURE_SAS_SIGNATURE],
    ),
    "mysql-glued-password": ("+ mysql -u root -pS3cr3tPw! -h db.internal shop < schema.sql", ["S3cr3tPw!"]),
    "mysqldump-glued-quoted-password": ("[stdout]+ mysqldump --single-transaction -uapp -p'Qw3rty#9' shop", ["Qw3rty#9"]),
    "sendgrid-key": (f"mail: using {SENDGRID_KEY} for alerts", [SENDGRID_KEY]),
    "openai-project-key": (f"OPENAI={OPENAI_PROJECT_KEY} bare {OPENAI_PROJECT_KEY}", [OPENAI_PROJECT_KEY]),
    "openai-legacy-key": (f"client = OpenAI({OPENAI_LEGACY_KEY})", [OPENAI_LEGACY_KEY]),
    "anthropic-key": (f"x-api-header {ANTHROPIC_KEY}", [ANTHROPIC_KEY]),
    "twilio-api-key": (f"twilio api:core:keys:fetch --sid {TWILIO_API_KEY}", [TWILIO_API_KEY]),
    "twilio-sid-and-token": (
        f"curl -u {TWILIO_ACCOUNT_SID}:{TWILIO_AUTH_TOKEN} https://api.twilio.com/2010-04-01/Accounts.json",
        [TWILIO_AUTH_TOKEN],
    ),
    "cookie-header": (
        "curl -H 'Cookie: session=4f9a1c2b3d4e5f60718293a4; theme=dark' https://shop.internal",
        ["4f9a1c2b3d4e5f60718293a4"],
    ),
    "set-cookie-header": ("< Set-Cookie: JSESSIONID=1A2B3C4D5E6F7A8B9C0D; Path=/; HttpOnly", ["1A2B3C4D5E6F7A8B9C0D"]),
    "bare-session-token": (f"credentials refreshed: {SESSION_TOKEN}", [SESSION_TOKEN[:40]]),
    "bare-old-session-token": (f"token {OLD_SESSION_TOKEN} expires soon", [OLD_SESSION_TOKEN[:40]]),
    "aws-configure-set-secret": (f"aws configure set aws_secret_access_key {AWS_SECRET} --profile ci", [AWS_SECRET]),
    "aws-configure-set-token": (f"aws configure set aws_session_token {OLD_SESSION_TOKEN}", [OLD_SESSION_TOKEN[:40]]),
    "secret-split-by-escape": ("AKIA\x1b[0mIOSFODNN7EXAMPLE", [AWS_KEY_ID]),
    "secret-split-by-nul": ("AKIAIOSF\x00ODNN7EXAMPLE", [AWS_KEY_ID]),
}
"""Name -> (text, parts that must not survive redaction)."""

FALSE_POSITIVES: dict[str, str] = {
    "ecs target id, cluster named like a secret": "First failure: orders-secrets:orders-api AllowTraffic Failed",
    "lambda target id, function named like a token": "payments-token:live AfterAllowTraffic Failed",
    "instance-ids": "i-0abc123def4567890 i-02f6e9b4d8a1c3e57 mi-0123456789abcdef0",
    "arns": (
        "arn:aws:iam::123456789012:role/CodeDeployServiceRole "
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-prod-tg/6d0ecf831eec9f09 "
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbCdEf "
        "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db_password "
        "arn:aws:iam::123456789012:user/token-rotator"
    ),
    "commit-hashes": "commit 9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3 (HEAD) merge 0123456789abcdef0123456789abcdef01234567",
    "key-id-then-commit": f"rotated {AWS_KEY_ID[:4]}xxxx at 9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3",
    "request-ids": (
        "RequestId: 3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b, x-amz-id-2: Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg=="
    ),
    "s3-etags-and-versions": (
        'eTag=d41c8e2f7a9b3c5d1e6f0a8b2c4d6e8f version=y7Tq2LwP9xKe4RbN6vZc1HsJ8mUa3GdF "ETag": "\\"5e9a1c3d\\""'
    ),
    "ami-and-deployment-ids": "ami-0abcdef1234567890 d-4HQ8N2ZRT snap-0123456789abcdef0 sg-0b3d5f7a9c1e2d4f6",
    "principal-ids": "AROAEXAMPLEID12345678:session AIDAEXAMPLEUSER123456 AGPA1234567890EXAMPLE",
    "aws-error-messages": (
        "ExpiredToken: The security token included in the request is expired\n"
        "InvalidClientTokenId: The security token included in the request is invalid.\n"
        "SignatureDoesNotMatch: The request signature we calculated does not match the signature you provided.\n"
        "UnrecognizedClientException: The security token included in the request is invalid\n"
        "InvalidPassword: The password does not meet the policy\n"
        "User: arn:aws:sts::123456789012:assumed-role/oncall/jane is not authorized to perform: codedeploy:GetDeployment"
    ),
    "prose-about-auth": "basic authentication failed; Bearer authentication required; missing bearer token; reset your password",
    "base64-log-content": (
        "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\n"
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"
        "dGhpcyBpcyBqdXN0IGEgbG9nIGxpbmUgZW5jb2RlZCBpbiBiYXNlNjQgZm9yIG5vIHJlYXNvbg=="
    ),
    "certificate": (
        "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n-----END CERTIFICATE-----"
    ),
    "public-key": "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----",
    "paths-and-urls": (
        "/opt/codedeploy-agent/deployment-root/b2e47d1c-5a93-4f08-8c6e-31d9a7f5e2b4/d-4HQ8N2ZRT/logs/scripts.log "
        "https://docs.aws.amazon.com/codedeploy/latest/userguide/troubleshooting.html "
        "http://localhost:8080/healthz s3://bucket/key/shop-web-5.3.0.zip PWD=/opt/app"
    ),
    "not-secret-keys": (
        "key: shop-web/shop-web-5.3.0.zip credential_source=Ec2InstanceMetadata token_type=Bearer "
        "password_file=/run/secrets/db KeyName=prod-keypair keyId=alias/aws/s3 tokenCount: 12"
    ),
    "variable-references": "PASSWORD=${DB_PASSWORD} TOKEN=$(cat /run/secrets/token) password: {{ vault_password }}",
    "timestamps-and-numbers": "2026-11-29T10:00:00Z 1732874400 exit code 22 port 5432",
    "ipv6-and-mac": "fe80::1ff:fe23:4567:890a 00:1B:44:11:3A:B7",
    "git-ssh-url": "git@github.com:org/repo.git",
    "mysql-asking-for-the-password": "mysql -u root -p -h db.internal shop; mysql --port 3306 -P 3307 -p",
    "cookie-prose": "the session cookie expired; cookies are disabled in this browser",
    "docker-auth-setting": '{"auth": "none", "credsStore": "ecr-login"}',
    "twilio-account-sid-alone": "account " + "AC" + "7d2e4f6a8b0c1d3e5f7a9b1c3d5e7f90" + " sent 3 messages",
    "words-ending-in-sk": "task-definition-0123456789abcdefghij disk-usage-report-0123456789abcdef risk-level",
    "sas-like-words": "signature verified; design=blue&size=large",
    "aws-credential-names-in-prose": "set aws_secret_access_key in your profile; aws_session_token is optional",
}
"""Name -> text that redaction must leave exactly as it is."""
