#!/usr/bin/env python3
"""Write the cache entries that examples/python reads, as Python's cachetta
(0.6, the version whose keys the Go package shares) writes them.

cachetta itself could not be installed where these files were made, so this
script does by hand the three things it does for a cached call:

- the key of a call is the first 16 hex digits of the SHA-256 of
  json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True);
- a call without arguments uses the cache's path as it is; one with
  arguments inserts "-<key>" before the path's suffix (pathlib's stem and
  suffix): cache/user.json becomes cache/user-<key>.json;
- the file holds json.dump(value, f): ", " and ": " separators, non-ASCII
  as \\u escapes, floats as repr writes them, no trailing newline.

The calls use positional arguments only: Go has no keyword arguments, and a
Go key always hashes "kwargs": {}.

Usage, from anywhere:

    python3 make.py                  write the entries into cache/ beside this file
    python3 make.py --vectors FILE   also check key() against the shared key
                                     vectors (python-keys.json) first
"""

import argparse
import hashlib
import json
import os
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent


def key(*args, **kwargs):
    """Return the key of a call with these arguments."""
    text = json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def path_for(path, *args, **kwargs):
    """Return the file of a call with these arguments on a cache at path."""
    path = pathlib.Path(path)
    if not args and not kwargs:
        return path
    return path.with_name(f"{path.stem}-{key(*args, **kwargs)}{path.suffix}")


def write(path, value, *args):
    """Store value as the result of a call with args on a cache at path."""
    target = path_for(path, *args)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "w") as f:
        json.dump(value, f)
    return target


# The functions whose results the entries are, as a Python program would
# define and cache them, each on a cache of its own path.


def settings():
    return {"theme": "dark", "page_size": 50, "beta": False}


def get_user(user_id):
    return {"id": user_id, "name": "Zoë", "email": "zoe@example.com", "tags": ["admin", "ops"]}


def forecast(city, days):
    temps = [21.0, 19.5, 23.25]
    return {
        "city": city,
        "days": [{"day": d + 1, "temp_c": temps[d], "summary": "sunny" if d != 1 else "showers"} for d in range(days)],
    }


def search(query, options):
    return [f"{query}: hit {n}" for n in range(options["offset"] + 1, options["offset"] + 4)]


def price(currency, amount):
    return round(amount * {"EUR": 1.0, "USD": 1.0842}[currency], 2)


CALLS = [
    ("settings.json", settings, ()),
    ("user.json", get_user, (42,)),
    ("forecast.json", forecast, ("Lisbon", 3)),
    ("search.json", search, ("cachetta", {"limit": 10, "offset": 0})),
    ("price.json", price, ("USD", 19.99)),
]


def check_vectors(file):
    with open(file) as f:
        vectors = json.load(f)["vectors"]
    for v in vectors:
        # json.loads reads a number with ".", "e" or "E" as a float and any
        # other as an int, as the vectors' args_json are written.
        got = key(*json.loads(v["args_json"]))
        if got != v["key"]:
            sys.exit(f"key({v['args_json']}) = {got}; the vectors say {v['key']}")
    print(f"key() matches all {len(vectors)} shared vectors")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vectors", help="python-keys.json to check key() against")
    args = parser.parse_args()
    if args.vectors:
        check_vectors(args.vectors)
    # The README's example of a key, so a mistake here shows at once.
    assert key(42) == "08f5e39ca06e5b2b", key(42)
    os.chdir(HERE)
    for path, fn, call_args in CALLS:
        target = write(pathlib.Path("cache", path), fn(*call_args), *call_args)
        print(f"{fn.__name__}({', '.join(map(repr, call_args))}): {target}")


if __name__ == "__main__":
    main()
