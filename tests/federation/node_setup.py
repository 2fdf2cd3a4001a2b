"""Run inside a node's process (``liaison shell``) on the base database of the proof test:
three agencies, their officers and API tokens, the nodes and the agency homes. Prints JSON."""
import json
import os
import sys


def main():
    from django.core.management import call_command

    from liaison.core.models import Country
    from liaison.sharing.models import Agency, Role, User
    from liaison.sharing.tokens import ApiToken

    agencies = {}
    for short_name, country in (("CN-MPS", "CN"), ("TH-RTP", "TH"), ("KH-NP", "KH")):
        agencies[short_name] = Agency.objects.create(name=f"Agency {short_name}", short_name=short_name,
                                                     country=Country.objects.get(code=country))
    tokens = {}
    for username, agency, roles, scope in (
        ("cn.liaison", "CN-MPS", [Role.LIAISON_OFFICER, Role.ANALYST], "read-write"),
        ("th.officer", "TH-RTP", [Role.ANALYST], "read"),
        ("th.liaison", "TH-RTP", [Role.LIAISON_OFFICER, Role.ANALYST], "read-write"),  # sends requests
        ("kh.officer", "KH-NP", [Role.ANALYST], "read"),
    ):
        user = User.objects.create_user(username=username, password="x", agency=agencies[agency], roles=roles)
        tokens[username] = ApiToken.issue(user, "proof", scope=scope, days=1)[1]
    call_command("federation", "configure", os.environ["FEDERATION_CONFIG_FILE"], stdout=sys.stderr)
    print(json.dumps({"tokens": tokens, "agencies": {k: a.pk for k, a in agencies.items()}}))


main()
