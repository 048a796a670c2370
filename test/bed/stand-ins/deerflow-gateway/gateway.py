"""Stand-in for DeerFlow's gateway (app.gateway.app at v2.0.0): see the Dockerfile beside it for what it keeps."""
import json
import os
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PUBLIC_PREFIXES = ("/health", "/docs", "/redoc", "/openapi.json")
PUBLIC_EXACT = {"/api/v1/auth/login/local", "/api/v1/auth/register", "/api/v1/auth/logout",
                "/api/v1/auth/setup-status", "/api/v1/auth/initialize"}


def config_path() -> Path:
    env = os.getenv("DEER_FLOW_CONFIG_PATH")
    if env:
        path = Path(env)
        if not path.exists():
            raise FileNotFoundError(f"Config file specified by environment variable `DEER_FLOW_CONFIG_PATH` not found at {path}")
        return path
    for path in (Path("/app/backend/config.yaml"), Path("/app/config.yaml")):
        if path.exists():
            return path
    raise FileNotFoundError("`config.yaml` file not found in the project root or legacy backend/repository root locations")


def names_under(text: str, section: str) -> list[str]:
    """`- name: X` items of a top-level list (enough YAML for a stand-in: no PyYAML on the base image)."""
    names, inside = [], False
    for line in text.splitlines():
        if line and not line[0].isspace() and not line.startswith("#"):
            inside = line.split(":")[0] == section
            continue
        stripped = line.strip()
        if inside and stripped.startswith("- name:"):
            names.append(stripped.split(":", 1)[1].strip())
    return names


def env_values(text: str) -> list[str]:
    """Upstream resolves values starting with $ from the environment; a missing one is an error."""
    missing = []
    for line in text.splitlines():
        value = line.split(":", 1)[1].strip() if ":" in line and not line.strip().startswith("#") else ""
        if value.startswith("$") and value[1:].replace("_", "").isalnum() and value[1:] not in os.environ:
            missing.append(value[1:])
    return missing


def jwt_secret() -> str:
    secret = os.getenv("AUTH_JWT_SECRET")
    if secret:
        return "env"
    home = Path(os.getenv("DEER_FLOW_HOME", "/app/backend/.deer-flow"))
    home.mkdir(parents=True, exist_ok=True)
    file = home / ".jwt_secret"
    if not file.exists():
        file.write_text(secrets.token_urlsafe(32))
    return "persisted"


class Handler(BaseHTTPRequestHandler):
    def reply(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802
        path = self.path.split("?", 1)[0]
        if path == "/health":
            return self.reply(200, {"status": "healthy", "service": "deer-flow-gateway"})
        if path == "/openapi.json":
            return self.reply(200, {"openapi": "3.1.0", "info": {"title": "DeerFlow API Gateway"}})
        if path.rstrip("/") == "/api/v1/auth/setup-status":
            return self.reply(200, {"needs_setup": True})
        if not any(path.startswith(prefix) for prefix in PUBLIC_PREFIXES) and path.rstrip("/") not in PUBLIC_EXACT:
            return self.reply(401, {"detail": "Not authenticated"})
        return self.reply(404, {"detail": "Not Found"})

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        print(f"INFO:     {self.address_string()} - \"{self.requestline}\" {args[1] if len(args) > 1 else ''}", flush=True)


def main() -> None:
    check = sys.argv[1:] == ["--check-config"]
    host, port = (None, 0) if check else (sys.argv[1], int(sys.argv[2]))
    try:
        path = config_path()
    except FileNotFoundError as error:
        print(f"ERROR:    {error}", file=sys.stderr, flush=True)
        sys.exit(1)
    text = path.read_text()
    missing = env_values(text)
    if missing:
        print(f"ValueError: Environment variable {missing[0]} not found for config value ${missing[0]}", file=sys.stderr)
        sys.exit(1)
    if not names_under(text, "models"):
        print("ValueError: config.yaml defines no models", file=sys.stderr)
        sys.exit(1)
    print(f"INFO:     config {path}: models={names_under(text, 'models')} tools={names_under(text, 'tools')}", flush=True)
    if check:
        return
    print(f"INFO:     auth: JWT secret from {jwt_secret()}", flush=True)
    skills = Path(os.getenv("DEER_FLOW_SKILLS_PATH", "/app/skills"))
    print(f"INFO:     skills dir {skills} ({'present' if skills.is_dir() else 'missing'})", flush=True)
    server = ThreadingHTTPServer((host, port), Handler)
    print(f"INFO:     Uvicorn running on http://{host}:{port} (Press CTRL+C to quit)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
