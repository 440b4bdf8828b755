"""The statutory engine: pure Python, no Django.

Every module here implements a rule from ``shared/domain/rules.md`` (rule ids such as R1.1) or a
format from ``shared/domain/formats.md`` (sections such as formats §2). Nothing in this package may
import Django, the ORM or any other ``cme`` app (DESIGN.md, layer 1).
"""
