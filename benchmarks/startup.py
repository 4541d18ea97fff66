"""Wall time of the commands a holder runs by hand, each against `python -c pass` in the same run.

    python3 tasks.py bench startup [RUNS] [--before SRC]

--before SRC also times the same commands with another checkout's src/ first on the path (e.g. a
`git archive main src` unpacked in /tmp), interleaved in the same run, for a before/after ratio. A
package installed into SRC (`uv pip install --target SRC --no-deps typer==X`) is timed at that version.

Every command runs in a fresh profile without a card database and in one with a card registered, so
the slow path a database used to trigger shows. Runs are interleaved (each round runs every command
once) so that a busy machine slows all of them alike; the figure is the median.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

GOAL = 0.3  # seconds: what still feels instant


def typical_mail(size: int = 14_500) -> bytes:
    """A card issuer's notice of about ``size`` bytes: a text part and an HTML part with links."""
    msg = EmailMessage()
    msg["From"] = Address("American Express", "Americanexpress", "welcome.americanexpress.com")
    msg["To"] = "holder@example.com"
    msg["Subject"] = "【重要】カードご利用確認のお願い"
    msg["Date"] = format_datetime(datetime(2025, 11, 21, 23, 28, tzinfo=timezone.utc))
    msg["Message-ID"] = "<bench@welcome.americanexpress.com>"
    paragraph = ("いつもアメリカン・エキスプレス・カードをご利用いただき、誠にありがとうございます。"
                 "ご利用内容の確認のため、下記よりログインのうえご確認ください。\n")
    text = paragraph * (size // 2 // len(paragraph.encode()))
    html_paragraph = ('<p style="font-size:14px">' + paragraph.strip() +
                      ' <a href="https://www.americanexpress.com/ja-jp/account/login">ログイン</a></p>\n')
    html = "<html><body>" + html_paragraph * (size // 2 // len(html_paragraph.encode())) + "</body></html>"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg.as_bytes()


def main(argv: list[str]) -> int:
    before = None
    if "--before" in argv:
        at = argv.index("--before")
        before = str(Path(argv[at + 1]).resolve())
        argv = argv[:at] + argv[at + 2:]
    runs = int(argv[0]) if argv else 15
    exe = Path(sys.executable).with_name("cardguard")
    work = Path(tempfile.mkdtemp(prefix="cardguard-bench-"))
    mail = work / "typical.eml"
    mail.write_bytes(typical_mail())
    base = {k: v for k, v in os.environ.items() if not k.startswith("CARDGUARD_")}
    # A holder's machine caches bytecode; without it every run recompiles cardguard's own modules.
    base.pop("PYTHONDONTWRITEBYTECODE", None)
    base.update(LANG="C.UTF-8", COLUMNS="100")
    def profiles_for(tag: str, extra: dict) -> dict[str, dict]:
        # Each version gets its own profiles: an older cardguard refuses a database a newer one wrote.
        made = {}
        for name in ("no database", "card database"):
            root = work / tag / name.replace(" ", "-")
            made[name] = {**base, **extra, "CARDGUARD_CONFIG_DIR": str(root / "config"),
                          "CARDGUARD_DATA_DIR": str(root / "data"), "CARDGUARD_CACHE_DIR": str(work / tag / "cache")}
        subprocess.run([str(exe), "cards", "add", "--nickname", "main", "--product", "amex", "--last4", "1005",
                        "--alias", "holder@example.com"], env=made["card database"], check=True,
                       stdout=subprocess.DEVNULL)
        return made

    profiles = profiles_for("now", {})
    commands = {
        "cardguard --help": [str(exe), "--help"],
        # A command's own help builds its options and nothing else (Typer 0.29 loaded Pydantic for them).
        "check --help": [str(exe), "check", "--help"],
        "contacts --card amex": [str(exe), "contacts", "--card", "amex"],
        f"check --offline ({mail.stat().st_size // 1000} KB mail)": [str(exe), "check", "--offline", str(mail)],
    }
    cases = [("python -c pass", None, [sys.executable, "-c", "pass"], base)]
    cases += [(label, profile, argv_, env) for profile, env in profiles.items() for label, argv_ in commands.items()]
    if before:
        cases += [(label, f"{profile} (before)", argv_, env)
                  for profile, env in profiles_for("before", {"PYTHONPATH": before}).items()
                  for label, argv_ in commands.items()]
    times: dict[tuple, list[float]] = {(label, profile): [] for label, profile, _, _ in cases}
    cpu: dict[tuple, list[float]] = {(label, profile): [] for label, profile, _, _ in cases}
    for round_ in range(runs + 1):
        for label, profile, argv_, env in cases:
            used = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(argv_, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode not in (0, 1):  # check exits 1 on a suspicious verdict
                print(f"{label} ({profile}) failed: {done.stderr.decode()[-500:]}", file=sys.stderr)
                return 1
            if round_:  # the first round writes bytecode and warms the page cache
                times[(label, profile)].append(elapsed)
                cpu[(label, profile)].append(after.ru_utime + after.ru_stime - used.ru_utime - used.ru_stime)
    baseline = statistics.median(times[("python -c pass", None)])
    cpu_baseline = statistics.median(cpu[("python -c pass", None)])
    print(f"start-up, median of {runs} interleaved runs; baseline python -c pass: {baseline * 1000:.0f} ms wall, "
          f"{cpu_baseline * 1000:.0f} ms CPU")
    load = os.getloadavg()[0]
    print(f"  (load average {load:.1f} on {os.cpu_count()} cores. On an idle machine wall time is CPU time; "
          "others' load stretches wall time, so on a busy one CPU time is the steadier figure)")
    slow = 0
    for (label, profile), values in times.items():
        if profile is None:
            continue
        median = statistics.median(values)
        slow += median > GOAL
        used = statistics.median(cpu[(label, profile)])
        print(f"  {label:30} {profile:23} {median * 1000:5.0f} ms wall (x{median / baseline:4.1f})  "
              f"{used * 1000:5.0f} ms CPU (x{used / max(cpu_baseline, 1e-3):4.1f})  "
              f"goal {GOAL} s: wall {'over' if median > GOAL else 'under'}, "
              f"CPU {'over' if used > GOAL else 'under'}")
    created = (work / "now" / "no-database" / "data" / "cardguard.db").exists()
    print(f"  database created by read-only commands in a fresh profile: {'YES' if created else 'no'}")
    return 1 if created else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
