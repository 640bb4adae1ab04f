"""A throwaway SMTP server for benchmarks: accepts everything, records one line per message.

    python bench/smtp_sink.py --port 2525 --out /tmp/sink.log

Each line is the message's X-Academy-Reminder header (or "-" when it has none), so a benchmark
can count messages and check that no reminder key arrived twice. With --message-id the line is
"<key> <Message-ID>" (bench/faults.py counts deliveries by Message-ID).
"""

import argparse
import re
import signal
import threading

from aiosmtpd.controller import Controller

KEY = re.compile(rb"^X-Academy-Reminder: (.+?)\r?$", re.MULTILINE)
MESSAGE_ID = re.compile(rb"^Message-ID: (.+?)\r?$", re.MULTILINE | re.IGNORECASE)


def _header(pattern, content):
    match = pattern.search(content)
    return match.group(1).decode() if match else "-"


class Recorder:
    def __init__(self, out, with_message_id=False):
        self.out = out
        self.with_message_id = with_message_id

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        line = _header(KEY, envelope.content)
        if self.with_message_id:
            line += " " + _header(MESSAGE_ID, envelope.content)
        self.out.write(line + "\n")
        self.out.flush()
        return "250 OK"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--message-id", action="store_true", help="also record the Message-ID")
    args = parser.parse_args()
    with open(args.out, "a", buffering=1) as out:
        controller = Controller(
            Recorder(out, with_message_id=args.message_id), hostname="127.0.0.1", port=args.port
        )
        controller.start()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        print("ready", flush=True)
        stop.wait()
        controller.stop()


if __name__ == "__main__":
    main()
