"""Conversion PDF par LibreOffice (soffice --headless), avec une limite de temps : jamais de blocage."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from guichet_cli.core import yamlio
from guichet_cli.core.errors import EnvironmentProblem

TIMEOUT_S = 120
INSTALL_HINT = (
    "installer LibreOffice Writer (Debian/Ubuntu : sudo apt-get install libreoffice-writer ; "
    "macOS : brew install --cask libreoffice ; Windows : https://fr.libreoffice.org), ou relancer sans --pdf"
)


def find_office() -> str:
    """Chemin de soffice/libreoffice dans le PATH, sinon EnvironmentProblem qui dit comment l'installer."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise EnvironmentProblem("conversion PDF impossible : LibreOffice (soffice) n'est pas installé ou pas dans le PATH", INSTALL_HINT)


def to_pdf(office: str, docx_path: Path, timeout: float = TIMEOUT_S) -> Path:
    """Convertit un DOCX déjà écrit ; le PDF est placé à côté, écrit atomiquement."""
    target = docx_path.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="guichet-pdf-") as tmp:
        # profil LibreOffice jetable : une instance ouverte par l'utilisateur ne bloque pas la conversion
        profile = Path(tmp, "profil").as_uri()
        cmd = [office, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", tmp, str(docx_path)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired:
            raise EnvironmentProblem(
                f"conversion PDF de {docx_path.name} interrompue après {timeout:.0f} s",
                "fermer les fenêtres LibreOffice ouvertes et relancer ; le DOCX est déjà écrit",
            ) from None
        produced = Path(tmp) / target.name
        if proc.returncode != 0 or not produced.is_file():
            detail = (proc.stderr or proc.stdout or "").strip().splitlines()[-1:] or ["aucun message"]
            raise EnvironmentProblem(f"LibreOffice n'a pas converti {docx_path.name} : {detail[0]}", "ouvrir le DOCX dans LibreOffice pour vérifier qu'il est lisible")
        yamlio.atomic_write_bytes(target, produced.read_bytes())
    return target
