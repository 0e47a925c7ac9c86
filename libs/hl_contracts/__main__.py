"""`python -m hl_contracts DIR`: write the AsyncAPI document and one JSON Schema per event type."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from hl_contracts.schemas import all_schemas, asyncapi_document


def write_contract(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / "asyncapi.json"]
    written[0].write_text(json.dumps(asyncapi_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for event_type, schema in all_schemas().items():
        path = folder / "schemas" / f"{event_type}.v{schema['$id'].rsplit(':v', 1)[1]}.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_contract(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/events")):
        print(path)
