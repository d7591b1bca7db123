"""What an analyst's notebook does with msticpy, as a child process of the tests.

    python msticpy_notebook.py PROVIDER QUERY

msticpy reads `MSTICPYCONFIG` (and the cloud metadata it names) once per process, so each run is
a fresh process, as a notebook kernel is. Prints one JSON object: the DataFrame's columns, types
and rows, or the exception raised and what msticpy logged on the way.
"""

from __future__ import annotations

import json
import logging
import sys
from typing import Any


class _Remember(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname} {record.name}: {record.getMessage()}")


def main(provider: str, query: str) -> dict[str, Any]:
    logged = _Remember()
    logging.getLogger("msticpy").addHandler(logged)
    logging.getLogger("msticpy").setLevel(logging.INFO)
    from msticpy.data import QueryProvider  # after the handler: msticpy logs while it loads

    qp = QueryProvider(provider)
    qp.connect()
    try:
        frame = qp.exec_query(query)
    except Exception as error:
        return {
            "error": type(error).__module__ + "." + type(error).__qualname__,
            "text": str(error),
            "logged": logged.messages,
        }
    import pandas as pd

    return {
        "type": "pandas.DataFrame" if isinstance(frame, pd.DataFrame) else repr(type(frame)),
        "columns": {name: str(dtype) for name, dtype in frame.dtypes.items()},
        "timezones": {
            name: str(getattr(dtype, "tz", None))
            for name, dtype in frame.dtypes.items()
            if str(dtype).startswith("datetime64")
        },
        "rows": json.loads(frame.to_json(orient="records", date_format="iso")),
        "logged": logged.messages,
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
