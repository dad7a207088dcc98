"""Drives Chainsmith's sandbox with Genesys Cloud's official Python SDK (PyPI PureCloudPlatformClientV2).

tests/genesys_sdk.rs runs it against a sandbox on loopback. Every answer is read twice: by the SDK
(which must deserialise it into its model) and as raw JSON, whose keys are compared with the model's
`attribute_map`: no key the model lacks, and every key the real API fills present.

Usage: driver.py BASE_URL CA_FILE PEM_FILE calls      (the calls Chainsmith makes, and their errors)
       driver.py BASE_URL CA_FILE PEM_FILE provision  (creates "Provisioning CAs" for PROVISION)
       driver.py BASE_URL CA_FILE NAME readback       (reads what Chainsmith created, prints it as JSON)
"""

import json
import sys

import PureCloudPlatformClientV2 as genesys
from PureCloudPlatformClientV2.rest import ApiException

CLIENT_ID, CLIENT_SECRET = "sandbox-client", "sandbox-secret"

# The keys the real API fills in each answer (the rest of each model's attributes are optional).
FILLED = {
    "DomainCertificateAuthority": {
        "id", "name", "division", "version", "dateCreated", "dateModified", "createdBy",
        "modifiedBy", "state", "certificate", "type", "services", "certificateDetails", "selfUri",
    },
    "CertificateAuthorityEntityListing": {
        "entities", "pageSize", "pageNumber", "total", "pageCount", "firstUri", "selfUri", "lastUri",
    },
    "TrunkEntityListing": {
        "entities", "pageSize", "pageNumber", "total", "pageCount", "firstUri", "selfUri", "lastUri",
    },
    "Trunk": {
        "id", "name", "division", "version", "dateCreated", "dateModified", "state", "trunkType",
        "trunkBase", "trunkMetabase", "inService", "enabled", "connectedStatus", "selfUri",
    },
    "ErrorBody": {
        "message", "code", "status", "messageWithParams", "messageParams", "contextId", "details",
        "errors",
    },
    "Division": {"id", "name", "selfUri"},
    "DomainEntityRef": {"id", "selfUri"},
    "CertificateDetails": {
        "issuer", "subject", "expirationDate", "issueDate", "expired", "valid", "signatureValid",
    },
}


def model_keys(name):
    return set(getattr(genesys, name)().attribute_map.values())


def check_keys(name, raw, where):
    """The raw JSON object `raw` has no key model `name` lacks, and every key the API fills."""
    keys = set(raw)
    extra = keys - model_keys(name)
    assert not extra, f"{where}: keys the SDK model {name} lacks: {sorted(extra)}"
    missing = FILLED.get(name, set()) - keys
    assert not missing, f"{where}: keys the real API fills but the sandbox left out: {sorted(missing)}"


def check_authority(raw, where):
    check_keys("DomainCertificateAuthority", raw, where)
    check_keys("Division", raw["division"], where + " division")
    for d in raw["certificateDetails"]:
        check_keys("CertificateDetails", d, where + " certificateDetails")


def check_trunk(raw, where):
    check_keys("Trunk", raw, where)
    check_keys("Division", raw["division"], where + " division")
    for ref in ("trunkBase", "edgeGroup"):
        if ref in raw:
            check_keys("DomainEntityRef", raw[ref], f"{where} {ref}")


def self_test():
    """The comparison itself fails on a deviation: a missing selfUri, a key the model lacks."""
    good = {k: None for k in FILLED["DomainCertificateAuthority"]}
    check_keys("DomainCertificateAuthority", good, "self-test")
    for bad in ({k: v for k, v in good.items() if k != "selfUri"}, {**good, "trunkMetabase": {}}):
        try:
            check_keys("DomainCertificateAuthority", bad, "self-test")
        except AssertionError:
            continue
        raise SystemExit("self-test: a deviation went unnoticed")


class Recorder:
    """The SDK's own post-request hook keeps the raw body of the last answer."""

    def __init__(self):
        self.last = None

    def hook(self):
        def keep(response):
            self.last = response
            return response

        return keep

    def json(self):
        return json.loads(self.last.data)


def error_of(call, status, where):
    """Runs `call`, which must fail with `status`; checks the error body's shape and header."""
    try:
        call()
    except ApiException as e:
        assert e.status == status, f"{where}: {e.status}, expected {status}: {e.body}"
        body = json.loads(e.body)
        check_keys("ErrorBody", body, where)
        headers = {k.lower(): v for k, v in e.headers.items()}
        assert headers.get("inin-correlation-id") == body["contextId"], f"{where}: {headers}"
        return body
    raise AssertionError(f"{where}: no error, expected {status}")


def connect(base, ca_file):
    config = genesys.configuration
    config.host = base
    config.ssl_ca_cert = ca_file
    client = genesys.api_client.ApiClient()
    recorder = Recorder()
    client.get_http_client().set_post_request_hook(recorder.hook())
    client.get_client_credentials_token(CLIENT_ID, CLIENT_SECRET)
    assert client.access_token, "no token"
    return genesys.TelephonyProvidersEdgeApi(client), recorder


def calls(base, ca_file, pem):
    api, raw = connect(base, ca_file)
    print("ok token")

    # Trunks: the filter, paging, one by id, a missing one.
    listing = api.get_telephony_providers_edges_trunks(trunk_type="EXTERNAL", page_size=100)
    check_keys("TrunkEntityListing", raw.json(), "trunks?trunkType=EXTERNAL")
    for t in raw.json()["entities"]:
        check_trunk(t, f"trunk {t['id']}")
    external = [t.id for t in listing.entities]
    assert all(t.trunk_type == "EXTERNAL" for t in listing.entities), external
    everything = api.get_telephony_providers_edges_trunks(page_size=100)
    assert len(everything.entities) > len(external), "the trunkType filter changed nothing"
    print(f"ok trunks filter: {len(external)} EXTERNAL of {len(everything.entities)}")

    first = api.get_telephony_providers_edges_trunks(page_size=2, page_number=1)
    page = raw.json()
    assert first.page_count == -(-first.total // 2), (first.page_count, first.total)
    assert "nextUri" in page and "previousUri" not in page, page
    assert page["nextUri"].startswith("/api/v2/telephony/providers/edges/trunks?"), page["nextUri"]
    last = api.get_telephony_providers_edges_trunks(page_size=2, page_number=first.page_count)
    assert "nextUri" not in raw.json() and "previousUri" in raw.json(), raw.json()
    seen = [t.id for t in first.entities] + [t.id for t in last.entities]
    assert len(set(seen)) == len(seen), f"pages overlap: {seen}"
    print(f"ok trunks paging: {first.page_count} pages of 2")

    byoc = next(t for t in everything.entities if t.edge_group and t.trunk_metabase
                and t.trunk_metabase.id == "external_sip_pcv_byoc_carrier.json")
    one = api.get_telephony_providers_edges_trunk(byoc.id)
    check_trunk(raw.json(), f"trunk {byoc.id}")
    assert one.trunk_base.id and one.trunk_metabase.id == "external_sip_pcv_byoc_carrier.json"
    assert one.date_created.year >= 2000, one.date_created  # parsed as a datetime
    print(f"ok trunk by id: {one.id} is BYOC Cloud with edge group {one.edge_group.name}")
    error_of(lambda: api.get_telephony_providers_edges_trunk("no-such-trunk"), 404, "missing trunk")
    print("ok missing trunk: 404")

    # Certificate authorities.
    body = genesys.DomainCertificateAuthority()
    body.name, body.description, body.type, body.services = "SDK CA", "made by the SDK", "REMOTE", ["SIP"]
    body.certificate = pem
    created = api.post_telephony_providers_edges_certificateauthorities(body)
    check_authority(raw.json(), "created authority")
    assert created.type == "REMOTE" and created.services == ["SIP"], (created.type, created.services)
    assert created.version == 1 and created.self_uri.endswith("/certificateauthorities/" + created.id)
    assert created.date_created is not None and created.division.name, created
    print(f"ok create: {created.id}")

    read = api.get_telephony_providers_edges_certificateauthority(created.id)
    check_authority(raw.json(), "authority by id")
    assert read.certificate == pem
    listing = api.get_telephony_providers_edges_certificateauthorities()
    check_keys("CertificateAuthorityEntityListing", raw.json(), "authorities")
    for ca in raw.json()["entities"]:
        check_authority(ca, "listed authority")
    assert created.id in [ca.id for ca in listing.entities]
    print(f"ok read and list: {listing.total} authorities")

    read.description = "updated by the SDK"
    updated = api.put_telephony_providers_edges_certificateauthority(created.id, read)
    check_authority(raw.json(), "updated authority")
    assert updated.version == 2 and updated.description == "updated by the SDK", updated
    print("ok update with the current version")
    stale = error_of(
        lambda: api.put_telephony_providers_edges_certificateauthority(created.id, read),
        409,
        "update with a stale version",
    )
    print(f"ok update with a stale version: 409 {stale['code']}")

    provision = genesys.DomainCertificateAuthority()
    provision.name, provision.type, provision.services = "SDK provisioning CA", "REMOTE", ["PROVISION"]
    provision.certificate = pem
    made = api.post_telephony_providers_edges_certificateauthorities(provision)
    assert made.services == ["PROVISION"], made.services
    print("ok services stored as sent: PROVISION")

    bare = genesys.DomainCertificateAuthority()
    bare.name = "no certificate"
    missing = error_of(
        lambda: api.post_telephony_providers_edges_certificateauthorities(bare), 400, "no certificate"
    )
    assert "certificate" in missing["message"], missing
    print(f"ok create without a certificate: 400 {missing['code']}")

    for ca in (created, made):
        api.delete_telephony_providers_edges_certificateauthority(ca.id)
    error_of(
        lambda: api.get_telephony_providers_edges_certificateauthority(created.id), 404, "deleted"
    )
    print("ok delete, then 404")


def readback(base, ca_file, name):
    api, raw = connect(base, ca_file)
    listing = api.get_telephony_providers_edges_certificateauthorities()
    found = [ca for ca in listing.entities if ca.name == name]
    assert len(found) == 1, [ca.name for ca in listing.entities]
    ca = api.get_telephony_providers_edges_certificateauthority(found[0].id)
    check_authority(raw.json(), "Chainsmith's authority")
    print(json.dumps({
        "id": ca.id, "version": ca.version, "type": ca.type, "services": ca.services,
        "certificate": ca.certificate,
        "details": [{"subject": d.subject, "valid": d.valid} for d in ca.certificate_details],
    }))


def provision(base, ca_file, pem):
    api, raw = connect(base, ca_file)
    body = genesys.DomainCertificateAuthority()
    body.name, body.type, body.services = "Provisioning CAs", "REMOTE", ["PROVISION"]
    body.certificate = pem
    made = api.post_telephony_providers_edges_certificateauthorities(body)
    check_authority(raw.json(), "provisioning authority")
    print(made.id)


def main():
    base, ca_file, arg, mode = sys.argv[1:5]
    self_test()
    if mode == "calls":
        with open(arg) as f:
            calls(base, ca_file, f.read())
    elif mode == "provision":
        with open(arg) as f:
            provision(base, ca_file, f.read())
    elif mode == "readback":
        readback(base, ca_file, arg)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
