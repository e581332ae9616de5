"""DescribeRules stops after its page limit and records the answer as incomplete."""

from __future__ import annotations


def test_rules_cut_off_after_the_page_limit_are_recorded() -> None:
    from concurrent.futures import ThreadPoolExecutor

    from codedeploy_doctor.aws.context import CollectionContext
    from codedeploy_doctor.aws.traffic import MAX_RULE_PAGES, _describe_rules

    class Endless:
        calls = 0

        def client(self, _service: str) -> object:
            outer = self

            class Client:
                def describe_rules(self, **_params: object) -> dict[str, object]:
                    outer.calls += 1
                    return {"Rules": [], "NextMarker": "more"}

            return Client()

    factory = Endless()
    with ThreadPoolExecutor(1) as pool:
        ctx = CollectionContext(factory, pool)  # type: ignore[arg-type]
        assert _describe_rules(ctx, "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/x/1/2") is None
    assert factory.calls == MAX_RULE_PAGES
    assert [(e.operation, e.code) for e in ctx.errors] == [("DescribeRules", "IncompleteAnswer")]
