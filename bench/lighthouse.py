"""Lighthouse (npm, installed into bench/node_modules) driving Debian's chromium, mobile profile:
performance, accessibility and bytes transferred of the resident's report page and the
district dashboard, each signed in as the account that uses it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
BIN = BENCH / "node_modules" / ".bin" / "lighthouse"
# (key in the results, path, the account whose session is used)
PAGES = [
    ("report_page", "/cases/report/", "resident"),
    ("dashboard", "/dashboard/", "leader"),
]


def chromium() -> str | None:
    return (
        os.environ.get("CHROME_PATH")
        or shutil.which("chromium")
        or shutil.which("chromium-browser")
    )


def install(log) -> bool:
    if BIN.exists():
        return True
    if shutil.which("npm") is None:
        return False
    log("npm ci (bench/package.json: lighthouse) …")
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=BENCH, check=False
    )
    return BIN.exists()


def summarize(report: dict, base: str) -> dict:
    host = urlparse(base).netloc
    items = report["audits"]["network-requests"]["details"]["items"]
    total = sum(i.get("transferSize") or 0 for i in items)
    own = sum(i.get("transferSize") or 0 for i in items if urlparse(i["url"]).netloc == host)
    return {
        "url": report["finalDisplayedUrl"],
        "performance": round(report["categories"]["performance"]["score"] * 100),
        "accessibility": round(report["categories"]["accessibility"]["score"] * 100),
        "kb_transferred": round(total / 1024, 1),
        "kb_without_tiles": round(own / 1024, 1),
        "requests": len(items),
        "lcp_ms": round(report["audits"]["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(report["audits"]["total-blocking-time"]["numericValue"]),
        "cls": round(report["audits"]["cumulative-layout-shift"]["numericValue"], 3),
        "failed_accessibility_audits": [
            ref["id"]
            for ref in report["categories"]["accessibility"]["auditRefs"]
            if ref.get("weight")
            and report["audits"][ref["id"]].get("score") is not None
            and report["audits"][ref["id"]]["score"] < 1
        ],
    }


def measure(base: str, sessions: dict[str, str], workdir: Path, log) -> dict:
    browser = chromium()
    if browser is None:
        return {"skipped": "chromium not found (apt-get install chromium)"}
    if not install(log):
        return {"skipped": "npm lighthouse not installed (cd bench && npm ci)"}
    results = {}
    for key, path, account in PAGES:
        out = workdir / f"lighthouse-{key}.json"
        headers = workdir / f"headers-{key}.json"
        headers.write_text(json.dumps({"Cookie": f"sessionid={sessions[account]}"}))
        cmd = [
            str(BIN),
            base + path,
            "--output=json",
            f"--output-path={out}",
            "--only-categories=performance,accessibility",
            "--form-factor=mobile",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
            f"--extra-headers={headers}",
            "--quiet",
        ]
        for _attempt in range(3):  # a trace can fail to record on a busy machine: try again
            done = subprocess.run(
                cmd,
                env={**os.environ, "CHROME_PATH": browser},
                capture_output=True,
                text=True,
                timeout=240,
                check=False,
            )
            if done.returncode == 0 and out.exists():
                break
        if done.returncode != 0 or not out.exists():
            results[key] = {"error": (done.stderr or done.stdout)[-400:]}
            log(f"lighthouse {key}: failed {results[key]['error'][-200:]}")
            continue
        results[key] = summarize(json.loads(out.read_text()), base)
        shutil.copy(out, BENCH / "results" / out.name)
        r = results[key]
        log(
            f"lighthouse {key}: performance {r['performance']}, accessibility "
            f"{r['accessibility']}, {r['kb_transferred']} KB ({r['kb_without_tiles']} KB own)"
        )
    return results
