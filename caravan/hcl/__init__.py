"""HCL2 text -> plain documents, and problem reports that name file, line and key.

    load.py      python-hcl2 -> document; syntax errors with lines
    problems.py  collecting every problem into one InvalidInput

Shared by job files (`jobspec`), ACL policies (`acl`), agent files (`config`) and
namespace specs (`cli`); it knows none of them.
"""
