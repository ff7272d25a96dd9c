"""Drives Cybrid's published generated IdP client (cybrid-api-id-python) through every operation against the
sandbox, as an API key and as a person signed in to the Partner Portal; prints one JSON object of outcomes.

Every answer goes through the client's own deserialization and model validations (types, lengths, enums).
Run by test/sandbox/python-client.test.ts with the venv scripts/install-idp-clients.sh makes.
Environment: SANDBOX_URL, ORG_CLIENT_ID, ORG_CLIENT_SECRET.
"""
import datetime
import importlib.metadata
import json
import os
import urllib.request

import cybrid_api_id
from cybrid_api_id.api.bank_applications_idp_api import BankApplicationsIdpApi
from cybrid_api_id.api.customer_tokens_idp_api import CustomerTokensIdpApi
from cybrid_api_id.api.organization_applications_idp_api import OrganizationApplicationsIdpApi
from cybrid_api_id.api.users_idp_api import UsersIdpApi
from cybrid_api_id.exceptions import ApiException
from cybrid_api_id.model.patch_application import PatchApplication
from cybrid_api_id.model.patch_user import PatchUser
from cybrid_api_id.model.post_bank_application import PostBankApplication
from cybrid_api_id.model.post_customer_token import PostCustomerToken
from cybrid_api_id.model.post_organization_application import PostOrganizationApplication
from cybrid_api_id.model.post_user import PostUser

URL = os.environ["SANDBOX_URL"]
BANK_GUID = "b" * 32
# The fields this client's models know decide what it may send: v0.129.1425 requires expires_at.
NEWER = "expires_at" in PostBankApplication.attribute_map
results = []
counter = [0]


def post_json(path, body):
    request = urllib.request.Request(
        URL + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def apis(token):
    client = cybrid_api_id.ApiClient(cybrid_api_id.Configuration(host=URL, access_token=token))
    return {
        "bank": BankApplicationsIdpApi(client),
        "org": OrganizationApplicationsIdpApi(client),
        "users": UsersIdpApi(client),
        "customers": CustomerTokensIdpApi(client),
    }


def expiry():
    return {"expires_at": datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)} if NEWER else {}


def email():
    counter[0] += 1
    return f"python-{counter[0]}@example.com"


def run(actor, op, call):
    """Records the outcome: "ok" (answered and deserialized), "http <status>", or the client's error."""
    try:
        answer = call()
        results.append({"actor": actor, "op": op, "outcome": "ok"})
        return answer
    except ApiException as err:
        results.append({"actor": actor, "op": op, "outcome": f"http {err.status}"})
    except Exception as err:  # a failed deserialization or model validation: the point of this test
        results.append({"actor": actor, "op": op, "outcome": f"{type(err).__name__}: {err}"})
    return None


org = post_json(
    "/oauth/token",
    {"grant_type": "client_credentials", "client_id": os.environ["ORG_CLIENT_ID"], "client_secret": os.environ["ORG_CLIENT_SECRET"]},
)
tokens = {"api-key": org["access_token"], "portal": post_json("/__sandbox/portal-token", {})["access_token"]}

# What the reads and the writes on existing resources act on, made by the person.
fixtures = apis(tokens["portal"])
bank_app = fixtures["bank"].create_bank_application(PostBankApplication(name="fixture", bank_guid=BANK_GUID, **expiry()))
org_app = fixtures["org"].create_organization_application(PostOrganizationApplication(name="fixture", **expiry()))
user = fixtures["users"].create_user(PostUser(email=email(), allowed_scopes=["users:read"]))

for actor, token in tokens.items():
    api = apis(token)
    run(actor, "listBankApplications", lambda: api["bank"].list_bank_applications(bank_guid=BANK_GUID, page=0, per_page=100))
    run(actor, "getBankApplication", lambda: api["bank"].get_bank_application(bank_app.client_id))
    if NEWER:
        run(actor, "getBankApplication by guid", lambda: api["bank"].get_bank_application(bank_app.guid))
    run(actor, "listOrganizationApplications", lambda: api["org"].list_organization_applications(page=0, per_page=100))
    run(actor, "getOrganizationApplication", lambda: api["org"].get_organization_application(org_app.client_id))
    run(actor, "listUser", lambda: api["users"].list_user(guid=user.guid))
    run(actor, "getUser", lambda: api["users"].get_user(user.guid))

    made = run(actor, "createBankApplication", lambda: api["bank"].create_bank_application(
        PostBankApplication(name="made", bank_guid=BANK_GUID, ip_allowlist=["8.8.4.0/24"], **expiry())))
    run(actor, "updateBankApplication", lambda: api["bank"].update_bank_application(
        bank_app.client_id, PatchApplication(name=f"renamed by {actor}")))
    run(actor, "deleteBankApplication", lambda: api["bank"].delete_bank_application(
        (made or bank_app).client_id if made else bank_app.client_id))
    made = run(actor, "createOrganizationApplication", lambda: api["org"].create_organization_application(
        PostOrganizationApplication(name="made", **expiry())))
    run(actor, "updateOrganizationApplication", lambda: api["org"].update_organization_application(
        org_app.client_id, PatchApplication(ip_allowlist=[])))
    run(actor, "deleteOrganizationApplication", lambda: api["org"].delete_organization_application(
        made.client_id if made else org_app.client_id))
    made = run(actor, "createUser", lambda: api["users"].create_user(PostUser(email=email(), allowed_scopes=["banks:read"])))
    run(actor, "updateUser", lambda: api["users"].update_user(user.guid, PatchUser(allowed_scopes=["banks:read", "users:read"])))
    run(actor, "disableUser", lambda: api["users"].disable_user(made.guid if made else user.guid))

# A customer token, by the token of a bank API key the person made (bank keys keep customers:write).
keyed = fixtures["bank"].create_bank_application(
    PostBankApplication(name="customers", bank_guid=BANK_GUID, ip_allowlist=["8.8.4.0/24"], **expiry()))
bank_token = post_json(
    "/oauth/token",
    {"grant_type": "client_credentials", "client_id": keyed.client_id, "client_secret": keyed.secret, "scope": "customers:write"},
)["access_token"]
customer = post_json("/__sandbox/customers", {"bank_guid": BANK_GUID})["guid"]
allowlist = {"inherit_ip_allowlist": True, "ip_allowlist": ["9.9.9.9"]} if NEWER else {}
run("bank-key", "createCustomerToken", lambda: apis(bank_token)["customers"].create_customer_token(
    PostCustomerToken(customer_guid=customer, scopes=["customers:read", "accounts:read"], **allowlist)))

print(json.dumps({"version": importlib.metadata.version("cybrid-api-id-python"), "results": results}))
