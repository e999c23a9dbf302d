"""`python -m massage_coach.domain.validate`: checks content/ against its schema and cross-references."""

import sys

from massage_coach.domain.content import ContentError, load_content
from massage_coach.settings import content_dir as configured_content_dir


def main() -> int:
    try:
        content = load_content()
    except ContentError as error:
        print(f"content error:\n{error}", file=sys.stderr)
        return 1
    counts = ", ".join(
        f"{len(getattr(content, s))} {s}" for s in ("techniques", "zones", "body_parts", "conditions", "routines")
    )
    print(f"content OK ({configured_content_dir()}): {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
