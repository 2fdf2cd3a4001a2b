"""Officers of six agencies using Liaison through its pages and API (issue 18's load test).

    LOADTEST_WORLD=var/loadtest/world.json .venv/bin/locust -f bench/loadtest/locustfile.py \\
        --headless --users 50 --spawn-rate 5 --run-time 10m --host http://127.0.0.1:8300

bench/loadtest/run.py starts the server, the worker and this client; see bench/README.md.
Each simulated officer is one of the officers bench/loadtest/prepare.py created (the
world file: logins, TOTP keys, markers, samples). It signs in as a person does (the
login form with its CSRF token, then the six-digit code computed from the officer's key),
then repeats a mix of what officers do, with a pause between actions (``LOADTEST_WAIT``,
seconds, default ``1,5``):

- search: names in Latin, Han and Thai script, identifiers, and the other agencies'
  marker strings (an attacker's search: it must find nothing);
- pages: a person page (own or shared), the dashboard, the request desk;
- lists: persons by nationality, persons by name prefix;
- api: ``/api/persons/?search=``, ``/api/search/``, ``/api/persons/<id>/``;
- probe: another agency's unshared person, by page and by API (must answer 404);
- edit: the person form of one of the agency's own persons (birth place changed);
- request: a criminal-record check to another agency (created, then sent), and the
  acknowledgement of a request sent to the officer's agency;
- intake: a short report pasted into "Take in a report" (its stages run in the worker).

Every body read is checked for the markers of the other agencies' records
(``LTSECRET<AGENCY>MARKER``: records they did not share; ``LTPROT<AGENCY>MARKER``: a
protected identity they shared without it): a hit is a visibility violation, counted and
reported as a failure named "VISIBILITY VIOLATION". A summary (violations, and which
request showed them) is written to ``LOADTEST_SUMMARY`` when the run stops.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, events, task

from client import form_fields, login, message_of

WORLD = json.load(open(os.environ.get("LOADTEST_WORLD", "var/loadtest/world.json"), encoding="utf-8"))
_WAIT = [float(x) for x in os.environ.get("LOADTEST_WAIT", "1,5").split(",")]
_next_officer = itertools.count()
_lock = threading.Lock()
VIOLATIONS = []  # (request name, marker, officer)
FAILED_LOGINS = []

REPORT_TEMPLATES = [
    "On {day} November 2026 the police of Myawaddy rescued {n} foreign nationals from a scam compound "
    "near KK Park and detained {m} suspects. Reference LT-{ref}.",
    "泰国警方于2026年11月{day}日在美索解救了{n}名被困于诈骗园区的外国人，并逮捕了{m}名嫌疑人。编号 LT-{ref}。",
    "เมื่อวันที่ {day} พฤศจิกายน 2569 ตำรวจช่วยเหลือผู้เสียหาย {n} คนจากแก๊งคอลเซ็นเตอร์ในเมียวดี จับกุมผู้ต้องหา {m} คน รหัส LT-{ref}",
    "Ngày {day} tháng 11 năm 2026, công an đã tiếp nhận {n} công dân bị lừa sang làm việc tại Campuchia. Mã LT-{ref}.",
]


class Officer(HttpUser):
    wait_time = between(*_WAIT)

    def on_start(self):
        with _lock:
            self.officer = WORLD["users"][next(_next_officer) % len(WORLD["users"])]
        self.agency = self.officer["agency"]
        self.samples = WORLD["agencies"][self.agency]
        self.others = [a for a in WORLD["agencies"] if a != self.agency]
        # A request shares the persons it names with the agency asked: persons another agency's
        # officers probe as "hidden" (must be 404) are never named, or the probe finds them
        # shared (2 of 173 probes answered 200 so on 2026-12-08: shares made by requests).
        probed = {pk for name, agency in WORLD["agencies"].items() if name != self.agency for pk in agency["hidden"]}
        self.requestable = [pk for pk in self.samples["own"] if pk not in probed] or self.samples["own"]
        self.forbidden = [m.lower() for a, marks in WORLD["markers"].items() if a != self.agency for m in marks]
        self.rng = random.Random(self.officer["username"])
        self.login()

    # -- helpers ---------------------------------------------------------------------------
    def check(self, response, name):
        """Fail the request on a marker of a record this officer's agency may not see."""
        body = (response.text or "").lower()
        for marker in self.forbidden:
            if marker in body:
                with _lock:
                    VIOLATIONS.append({"request": name, "marker": marker, "officer": self.officer["username"],
                                       "url": response.url})
                response.failure(f"VISIBILITY VIOLATION: {marker}")
                return False
        return True

    def get(self, path, name, expect=(200,), params=None):
        with self.client.get(path, params=params, name=name, catch_response=True, allow_redirects=False) as response:
            if response.status_code in (302,) and "/login/" in response.headers.get("Location", ""):
                response.failure("signed out")
                self.login()
            elif response.status_code not in expect:
                error = (f" {type(response.error).__name__}: {str(response.error)[-120:]}"
                         if response.status_code == 0 and response.error else "")
                response.failure(f"status {response.status_code}{error}")
            elif self.check(response, name):
                response.success()
            return response

    def login(self):
        if not login(self.client, self.host, self.officer, name="login"):
            with _lock:
                FAILED_LOGINS.append(self.officer["username"])

    # -- the mix (weights: how often an officer does each) ------------------------------------
    @task(6)
    def search_name(self):
        script = self.rng.choice(["Latn", "Latn", "Hani", "Thai"])
        name = self.rng.choice(WORLD["names"][script])
        words = name.split()
        query = " ".join(words[:2]) if script == "Latn" and len(words) > 2 else name
        self.get("/search/", f"search {script}", params={"q": query})

    @task(2)
    def search_identifier(self):
        self.get("/search/", "search identifier", params={"q": self.rng.choice(WORLD["identifiers"])})

    @task(1)
    def search_marker(self):
        # The marker without its last word: the page repeats the query, a leaked record's name has it whole.
        marker = self.rng.choice(WORLD["markers"][self.rng.choice(self.others)])
        self.get("/search/", "search attack (marker)", params={"q": marker.removesuffix("MARKER")})

    @task(8)
    def person_page(self):
        pool = self.samples["own"] if self.rng.random() < 0.4 else self.samples["visible"]
        self.get(f"/persons/{self.rng.choice(pool)}/", "person page")

    def dashboard(self):
        """On unless LOADTEST_DASHBOARD=0. At a million persons its four exact counts ran for
        minutes (2026-12-07), past gunicorn's timeout; they are capped at 10,000 since, as the
        lists are."""
        self.get("/", "dashboard")

    if os.environ.get("LOADTEST_DASHBOARD", "1") != "0":
        dashboard = task(1)(dashboard)

    @task(1)
    def request_desk(self):
        self.get("/requests/", "request desk")

    @task(3)
    def list_nationality(self):
        self.get("/persons/", "list nationality", params={"nationality": self.rng.choice(WORLD["nationalities"])})

    @task(2)
    def list_prefix(self):
        self.get("/persons/", "list prefix", params={"name": self.rng.choice(WORLD["prefixes"])})

    @task(3)
    def api(self):
        roll = self.rng.random()
        if roll < 0.4:
            self.get("/api/persons/", "api persons search", params={"search": self.rng.choice(WORLD["names"]["Latn"])
                                                                  .split()[0]})
        elif roll < 0.7:
            self.get("/api/search/", "api search", params={"q": self.rng.choice(WORLD["identifiers"])})
        else:
            self.get(f"/api/persons/{self.rng.choice(self.samples['visible'])}/", "api person")

    @task(1)
    def probe_hidden(self):
        pk = self.rng.choice(self.samples["hidden"])
        if self.rng.random() < 0.5:
            self.get(f"/persons/{pk}/", "probe other agency's record (404)", expect=(404,))
        else:
            self.get(f"/api/persons/{pk}/", "probe other agency's record (404)", expect=(404,))

    @task(2)
    def edit_person(self):
        pk = self.rng.choice(self.samples["own"])
        form = self.get(f"/persons/{pk}/edit/", "edit person (form)")
        if form.status_code != 200:
            return
        _action, values = form_fields(form.text, "/edit/")
        if values is None:
            return
        values["birth_place"] = f"Load test {self.rng.randrange(10**6)}"
        with self.client.post(f"/persons/{pk}/edit/", data=values, name="edit person (save)", catch_response=True,
                              allow_redirects=False, headers={"Referer": f"{self.host}/persons/{pk}/edit/"}) as r:
            if r.status_code != 302:
                r.failure(f"not saved: status {r.status_code}: {message_of(r.text)}")

    @task(1)
    def new_request(self):
        form = self.get("/requests/new/record_check/", "request (form)")
        if form.status_code != 200:
            return
        _action, values = form_fields(form.text, "/requests/new/")
        if values is None:
            return
        to = self.rng.choice(self.others)
        agency_id = WORLD["agency_ids"][to]
        values.update(title=f"Record check {self.rng.randrange(10**6)}", to_agency=str(agency_id),
                      f_purpose="Load test: review of a visa application", persons=str(self.rng.choice(self.requestable)), tlp="AMBER")
        # Own persons only: another agency's record shared as AMBER may not be passed on (the send is refused).
        with self.client.post("/requests/new/record_check/", data=values, name="request (create)",
                              catch_response=True, allow_redirects=False,
                              headers={"Referer": f"{self.host}/requests/new/record_check/"}) as r:
            if r.status_code != 302:
                r.failure(f"not created: status {r.status_code}")
                return
            location = r.headers["Location"]
        match = re.search(r"/requests/(\d+)/", location)
        if match:
            self.step(int(match.group(1)), "send", "request (send)")

    @task(1)
    def acknowledge(self):
        desk = self.get("/requests/", "request desk")
        if desk.status_code != 200:
            return
        ids = re.findall(r'href="/requests/(\d+)/"', desk.text)
        for pk in self.rng.sample(ids, min(3, len(ids))):
            page = self.get(f"/requests/{pk}/", "request page")
            if page.status_code == 200 and f"/requests/{pk}/step/acknowledge/" in page.text:
                self.step(int(pk), "acknowledge", "request (acknowledge)", page.text)
                return

    def step(self, pk, action, name, page_text=None):
        if page_text is None:
            page = self.get(f"/requests/{pk}/", "request page")
            page_text = page.text if page.status_code == 200 else ""
        _action, values = form_fields(page_text, f"/step/{action}/") if page_text else (None, None)
        if values is None:
            return
        with self.client.post(f"/requests/{pk}/step/{action}/", data=values, name=name, catch_response=True,
                              allow_redirects=False, headers={"Referer": f"{self.host}/requests/{pk}/"}) as r:
            if r.status_code != 302:
                r.failure(f"step refused: status {r.status_code}")

    @task(1)
    def intake(self):
        form = self.get("/intake/new/", "intake (form)")
        if form.status_code != 200:
            return
        _action, values = form_fields(form.text, "/intake/new/")
        if values is None:
            return
        values["text"] = self.rng.choice(REPORT_TEMPLATES).format(
            day=self.rng.randint(1, 28), n=self.rng.randint(2, 300), m=self.rng.randint(1, 50),
            ref=f"{self.officer['username']}-{time.time_ns()}")
        values.pop("file", None)
        with self.client.post("/intake/new/", data=values, name="intake (paste)", catch_response=True,
                              allow_redirects=False, headers={"Referer": f"{self.host}/intake/new/"}) as r:
            if r.status_code != 302:
                r.failure(f"not taken in: status {r.status_code}")
                return
            location = r.headers["Location"]
        self.get(location, "intake (document page)")


@events.test_stop.add_listener
def write_summary(environment, **_kwargs):
    path = os.environ.get("LOADTEST_SUMMARY")
    if path:
        with open(path, "w", encoding="utf-8") as out:
            json.dump({"violations": VIOLATIONS, "failed_logins": FAILED_LOGINS}, out, ensure_ascii=False, indent=1)
