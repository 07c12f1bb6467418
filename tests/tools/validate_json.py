#!/usr/bin/env python3
"""Validates a JSON document against a JSON Schema (Debian's python3-jsonschema).

Usage: validate_json.py SCHEMA DOCUMENT   → exit 0 when valid, 1 with the reason when not.
"""
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
try:
    jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2])))
except jsonschema.ValidationError as e:
    print("%s: %s at %s" % (sys.argv[2], e.message, "/".join(map(str, e.absolute_path))))
    sys.exit(1)
