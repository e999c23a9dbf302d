"""`python -m massage_coach.validate`: checks content/ against its schema and cross-references."""

import sys

from massage_coach.content import ContentError, content_dir_from_env, load_content


def main() -> int:
    try:
        content = load_content()
    except ContentError as error:
        print(f"content error:\n{error}", file=sys.stderr)
        return 1
    counts = ", ".join(
        f"{len(getattr(content, s))} {s}" for s in ("techniques", "zones", "body_parts", "conditions", "routines")
    )
    print(f"content OK ({content_dir_from_env()}): {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
