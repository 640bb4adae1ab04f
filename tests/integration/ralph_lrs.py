"""Run ralph-malph's LRS API (uvicorn, file-system backend) for the xAPI integration tests.

Run with ralph's own Python (var/ralph-venv, `make ralph`): `python ralph_lrs.py HOST PORT`.

One change to ralph, for its file-system backend only: ralph 5.1 writes each POST with the
"create" operation, which refuses to write to a file that exists, so every POST after the
first answers 500 ("overwrite is not allowed"). The backend appends instead; validation,
duplicate-id handling and GET /statements are ralph's own.
"""

import sys

import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend

FSLRSBackend.default_operation_type = BaseOperationType.APPEND

if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    uvicorn.run("ralph.api:app", host=host, port=port, log_level="warning")
