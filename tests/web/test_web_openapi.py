"""The OpenAPI 3.1 document is generated from the models, and the API keeps its promises: schemathesis
generates requests from it (valid and invalid) and checks there is no server error, every status and
content type is documented, and every response body validates against its schema."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

import web.schemas
from web import create_app

APP = create_app({"TESTING": True, "warm_up": False, "rate_limit": "100000/minute"})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", APP)


def test_document_is_generated_from_the_models(client: Any) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"] == "3.1.0"
    schemas = doc["components"]["schemas"]
    # the request model and the document agree field for field
    assert set(schemas["CheckRequest"]["properties"]) == set(web.schemas.CheckRequest.model_fields)
    assert set(schemas["Report"]["properties"]) == set(web.schemas.Report.model_fields)
    assert schemas["CheckRequest"]["additionalProperties"] is False
    assert doc["paths"]["/api/v1/check"]["post"]["responses"]["422"]
    assert doc["paths"]["/v2/check"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
    assert doc == web.schemas.openapi(doc["info"]["version"], auth=False)


# positive_data_acceptance is left out on purpose: the schema cannot say that a draft must have
# letters in a supported language, so some schema-valid drafts rightly get 400/413/422 (documented).
EXCLUDED = [checks.positive_data_acceptance]


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_keeps_its_schema(case: Any) -> None:
    case.call_and_validate(excluded_checks=EXCLUDED)
