"""Client LSP minimal (JSON-RPC sur stdio) pour piloter le vrai yaml-language-server dans les tests."""

from __future__ import annotations

import json
import os
import select
import subprocess
import time
from pathlib import Path
from typing import Any


class LanguageServer:
    def __init__(self, server_js: Path, root: Path) -> None:
        self.proc = subprocess.Popen(["node", str(server_js), "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self._id = 0
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(),
                                    "capabilities": {"textDocument": {"hover": {"contentFormat": ["markdown", "plaintext"]}}}})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration",
                    {"settings": {"yaml": {"validate": True, "hover": True, "schemaStore": {"enable": False}}}})

    def _send(self, msg: dict[str, Any]) -> None:
        body = json.dumps(msg).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def _read(self, timeout: float) -> dict[str, Any] | None:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        length = 0
        while True:
            line = self.proc.stdout.readline()
            if not line:
                return None
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        msg = json.loads(self.proc.stdout.read(length))
        if "id" in msg and "method" in msg:  # requête du serveur (configuration…) : réponse neutre
            items = (msg.get("params") or {}).get("items") or []
            self._send({"jsonrpc": "2.0", "id": msg["id"],
                        "result": [{"validate": True, "hover": True}] * len(items) if items else None})
        return msg

    def notify(self, method: str, params: dict[str, Any]) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: dict[str, Any], timeout: float = 60) -> Any:
        self._id += 1
        rid = self._id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = self._read(1)
            if msg is not None and msg.get("id") == rid and "method" not in msg:
                return msg.get("result")
        raise TimeoutError(method)

    def diagnostics(self, path: Path, timeout: float = 60) -> list[dict[str, Any]]:
        uri = path.as_uri()
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                              "text": path.read_text(encoding="utf-8")}})
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = self._read(1)
            if msg and msg.get("method") == "textDocument/publishDiagnostics" and msg["params"]["uri"] == uri \
                    and msg["params"]["diagnostics"]:
                return msg["params"]["diagnostics"]
        return []

    def hover(self, path: Path, line: int, character: int) -> str:
        res = self.request("textDocument/hover", {"textDocument": {"uri": path.as_uri()},
                                                  "position": {"line": line, "character": character}})
        contents = (res or {}).get("contents") or {}
        return contents.get("value", "") if isinstance(contents, dict) else str(contents)

    def close(self) -> None:
        self.proc.kill()
        self.proc.wait()
