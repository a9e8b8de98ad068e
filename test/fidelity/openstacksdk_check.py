"""
Drives ims-emulator with openstacksdk, the OpenStack SDK, and keystoneauth1 under it: another
independent client, with its own identity version discovery, password authentication, service
catalog and Glance-compatible image calls.

    python openstacksdk_check.py <endpoint> <user> <password> <domain> <project> [<ca_file>]

With <ca_file> the endpoint is an https:// one whose certificate that CA signed: the checks trust
it, and one more checks that a client not trusting it is refused.

Prints one JSON line per check ({"check": ..., "ok": true|false, "detail": ...}) and exits 1 if
any check failed.
"""
import json
import logging
import sys
import traceback

import openstack

endpoint, user, password, domain, project = sys.argv[1:6]
ca_file = sys.argv[6] if len(sys.argv) > 6 else None


class Recorder(logging.Handler):
    """Keeps every warning keystoneauth and openstacksdk log (a failed version discovery is one)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        if record.name.startswith(("keystoneauth", "openstack")):
            self.messages.append(f"{record.name}: {record.getMessage()}")


warnings = Recorder()
logging.getLogger().addHandler(warnings)
logging.getLogger().setLevel(logging.WARNING)


def connect(**tls):
    return openstack.connect(
        auth_url=f"{endpoint}/v3",
        username=user,
        password=password,
        user_domain_name=domain,
        project_name=project,
        project_domain_name=domain,
        region_name=project,
        **tls,
    )


results = []


def check(name, fn):
    try:
        results.append({"check": name, "ok": True, "detail": fn()})
    except Exception as e:  # report every failure, keep going
        results.append({"check": name, "ok": False, "detail": f"{type(e).__name__}: {e}", "trace": traceback.format_exc(limit=3)})


conn = connect(**({"cacert": ca_file} if ca_file else {}))


def authenticates_after_discovery():
    token = conn.authorize()
    assert token, "no token"
    assert warnings.messages == [], warnings.messages
    return {"token_prefix": token[:3]}


def lists_images():
    names = sorted(image.name for image in conn.image.images())
    assert "Ubuntu 22.04 server 64bit" in names and "CentOS 7.9 64bit" in names, names
    assert warnings.messages == [], warnings.messages
    return names


def gets_one_image():
    first = next(iter(conn.image.images()))
    again = conn.image.get_image(first.id)
    assert (again.id, again.name, again.status) == (first.id, first.name, "active"), again
    return again.name


def lists_projects():
    names = [p.name for p in conn.identity.projects()]
    assert project in names, names
    return names


check("password authentication after identity version discovery, without warnings", authenticates_after_discovery)
check("conn.image.images() lists the public images", lists_images)
check("conn.image.get_image() finds an image by id", gets_one_image)
check("conn.identity.projects() lists the account's projects", lists_projects)

if ca_file:

    def refused_without_the_ca():
        try:
            connect().authorize()
        except Exception as e:
            assert "SSL" in type(e).__name__ or "certificate" in str(e).lower(), f"{type(e).__name__}: {e}"
            return type(e).__name__
        raise AssertionError("a client that does not trust the CA got a token")

    check("a client that does not trust the CA is refused", refused_without_the_ca)

for r in results:
    print(json.dumps(r))
sys.exit(0 if all(r["ok"] for r in results) else 1)
