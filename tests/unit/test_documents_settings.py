"""Where documents are stored and the upload limits come from the environment."""

import json

from tests.unit.test_settings import PRODUCTION_ENV, run_manage

SHOW = (
    "import json; from django.conf import settings as s; print(json.dumps({"
    "'storage': s.STORAGES['documents'], 'static': [str(s.STATIC_ROOT), "
    "*map(str, s.STATICFILES_DIRS)], 'max': s.DOCUMENT_MAX_MB, "
    "'case': s.DOCUMENT_CASE_MAX_MB, 'types': s.DOCUMENT_ALLOWED_TYPES, "
    "'scanner': s.DOCUMENT_VIRUS_SCANNER}, default=str))"
)


def _settings(**env) -> dict:
    result = run_manage("shell", "-c", SHOW, env={**PRODUCTION_ENV, **env})
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_by_default_a_private_folder_outside_static_files_and_no_scanner(
    monkeypatch,
):
    # The test run's own throwaway folder is not the default.
    monkeypatch.delenv("DOCUMENTS_FOLDER", raising=False)
    shown = _settings()
    storage = shown["storage"]
    assert storage["BACKEND"] == "msp.storage.PrivateFileSystemStorage"
    folder = storage["OPTIONS"]["location"]
    assert folder.endswith("private/documents")
    assert not any(folder.startswith(path) for path in shown["static"])
    assert (shown["max"], shown["case"]) == (20, 500)
    assert shown["types"] == ["pdf", "jpg", "png", "docx", "odt"]
    assert shown["scanner"] == ""


def test_s3_limits_and_scanner_from_the_environment():
    shown = _settings(
        DOCUMENTS_STORAGE="s3",
        DOCUMENTS_BUCKET="council-documents",
        DOCUMENT_MAX_MB="5",
        DOCUMENT_CASE_MAX_MB="50",
        DOCUMENT_ALLOWED_TYPES="pdf,txt",
        DOCUMENT_VIRUS_SCANNER="enquiries.scanning.clamd_scan",
    )
    storage = shown["storage"]
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    assert storage["OPTIONS"]["bucket_name"] == "council-documents"
    assert storage["OPTIONS"]["default_acl"] == "private"
    assert storage["OPTIONS"]["location"] == "documents"
    assert (shown["max"], shown["case"]) == (5, 50)
    assert shown["types"] == ["pdf", "txt"]
    assert shown["scanner"] == "enquiries.scanning.clamd_scan"


def test_an_unknown_storage_is_refused():
    result = run_manage("check", env={**PRODUCTION_ENV, "DOCUMENTS_STORAGE": "ftp"})
    assert result.returncode != 0
    assert "DOCUMENTS_STORAGE must be 'local' or 's3'" in result.stderr
