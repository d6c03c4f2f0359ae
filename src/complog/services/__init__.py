"""The write path: each public function is one transaction and one audit event per change.

Services receive an open session (from `Store.transaction()`) and an `Actor`
(who, and when "now" is), validate through pydantic input models, and return
frozen dataclasses. They never print and never read the clock.
"""
