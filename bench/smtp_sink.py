"""A throwaway SMTP server for benchmarks: accepts everything, records one line per message.

    python bench/smtp_sink.py --port 2525 --out /tmp/sink.log

Each line is the message's X-Academy-Reminder header (or "-" when it has none), so a benchmark
can count messages and check that no reminder key arrived twice.
"""

import argparse
import re
import signal
import threading

from aiosmtpd.controller import Controller

KEY = re.compile(rb"^X-Academy-Reminder: (.+?)\r?$", re.MULTILINE)


class Recorder:
    def __init__(self, out):
        self.out = out

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        match = KEY.search(envelope.content)
        self.out.write((match.group(1).decode() if match else "-") + "\n")
        self.out.flush()
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    with open(args.out, "a", buffering=1) as out:
        controller = Controller(Recorder(out), hostname="127.0.0.1", port=args.port)
        controller.start()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        print("ready", flush=True)
        stop.wait()
        controller.stop()


if __name__ == "__main__":
    main()
