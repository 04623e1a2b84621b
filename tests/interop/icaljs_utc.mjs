#!/usr/bin/env node
// icaljs_utc.mjs FILE.ics
//
// Interop probe for kyphoprep: parse an iCalendar file with Mozilla's ical.js
// (the parser used by Thunderbird) and, for every VEVENT, print one line
//
//     UID<TAB>DTSTART<TAB>DTEND<TAB>ALARM<TAB>STATUS
//
// Every time is the UTC instant as YYYY-MM-DDTHH:MM:SSZ.  ALARM is the instant
// at which the first VALARM fires, or "-" if the event has none.  STATUS is
// the event's STATUS (CONFIRMED, CANCELLED, ...) or "-".
//
// Zoned times are resolved ONLY against the VTIMEZONE components of the
// event's own VCALENDAR.  Each of them is registered with
// ICAL.TimezoneService, and every resolved time is checked to carry exactly
// that zone: ical.js itself silently degrades an unknown TZID to a floating
// time (and a floating time converts as if it were UTC), so without this
// check a missing VTIMEZONE would go unnoticed.
//
// Exit status and semantics are identical to libical_utc.c (keep in sync):
//   0 success; 1 unreadable file / parse error; 2 a time cannot be turned
//   into a UTC instant (TZID without VTIMEZONE, duplicate TZID, floating or
//   DATE value, TZID on a UTC value, time before the zone's first
//   observance, missing UID/DTSTART, unusable TRIGGER); 64 usage error.
//   DTEND missing: DTSTART + DURATION added in local wall-clock time, or
//   DTSTART if there is no DURATION either.  TRIGGER durations are exact
//   seconds added to the UTC instant of DTSTART (RELATED=END: DTEND);
//   TRIGGER;VALUE=DATE-TIME must be UTC.

import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const EXIT_PARSE = 1;
const EXIT_SEMANTIC = 2;
const EXIT_USAGE = 64;

class SemanticError extends Error {}

const WALL_FIELDS = ["year", "month", "day", "hour", "minute", "second"];

function wallCmp(a, b) {
  for (const f of WALL_FIELDS) {
    if (a[f] !== b[f]) {
      return a[f] < b[f] ? -1 : 1;
    }
  }
  return 0;
}

function wallString(t) {
  const p = (n, w = 2) => String(n).padStart(w, "0");
  return `${p(t.year, 4)}${p(t.month)}${p(t.day)}T${p(t.hour)}${p(t.minute)}${p(t.second)}`;
}

function formatUnix(seconds) {
  if (!Number.isFinite(seconds)) {
    throw new SemanticError(`time is not finite: ${seconds}`);
  }
  // toISOString is always UTC: "2026-12-03T13:30:00.000Z"
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

// Earliest observance DTSTART (local wall-clock time) of a VTIMEZONE.
function firstObservance(vtz) {
  let first = null;
  for (const obs of vtz.getAllSubcomponents()) {
    if (obs.name !== "standard" && obs.name !== "daylight") continue;
    if (!obs.hasProperty("dtstart") || !obs.hasProperty("tzoffsetto")) continue;
    const d = obs.getFirstPropertyValue("dtstart");
    if (first === null || wallCmp(d, first) < 0) first = d;
  }
  return first;
}

// ical.js 2.2.1 (Timezone#_expandComponent) reads only the FIRST value of
// each RDATE property of an observance, and does not treat the observance's
// DTSTART as an onset once RDATE is present (no RRULE).  libical handles both.
// The results are still reported as ical.js computes them; warn so that a
// disagreement is easy to explain.
function warnRdateQuirks(path, tzid, vtz) {
  for (const obs of vtz.getAllSubcomponents()) {
    const rdates = obs.getAllProperties("rdate");
    if (rdates.length === 0) continue;
    const where = `VTIMEZONE ${tzid} ${obs.name.toUpperCase()}`;
    if (rdates.some((p) => p.getValues().length > 1)) {
      process.stderr.write(
        `icaljs_utc: ${path}: warning: ${where} has a multi-valued RDATE; ` +
          "ical.js uses only its first value\n",
      );
    }
    const dtstart = obs.getFirstPropertyValue("dtstart");
    if (
      dtstart &&
      !obs.hasProperty("rrule") &&
      !rdates.some((p) => wallCmp(p.getFirstValue(), dtstart) === 0)
    ) {
      process.stderr.write(
        `icaljs_utc: ${path}: warning: ${where} has RDATE but its DTSTART is not ` +
          "repeated as an RDATE; ical.js ignores that DTSTART as an onset\n",
      );
    }
  }
}

// Map TZID -> VTIMEZONE component of one VCALENDAR; registers the zones.
function collectZones(cal, path) {
  const zones = new Map();
  for (const vtz of cal.getAllSubcomponents("vtimezone")) {
    const tzid = vtz.getFirstPropertyValue("tzid");
    if (typeof tzid !== "string" || tzid === "") {
      throw new SemanticError("VTIMEZONE without TZID");
    }
    if (zones.has(tzid)) {
      throw new SemanticError(`VTIMEZONE TZID '${tzid}' is defined more than once`);
    }
    zones.set(tzid, vtz);
    warnRdateQuirks(path, tzid, vtz);
  }
  // Only this calendar's zones (plus ical.js's built-in UTC aliases, which we
  // never accept for a TZID without a VTIMEZONE, see zonedTime) are known.
  ICAL.TimezoneService.reset();
  for (const [tzid, vtz] of zones) {
    ICAL.TimezoneService.register(new ICAL.Timezone({ component: vtz, tzid }));
  }
  return zones;
}

// Resolve a DTSTART/DTEND property to an ICAL.Time whose zone is UTC or the
// zone built from the file's own VTIMEZONE; verify that explicitly.
function zonedTime(prop, what, uid, zones) {
  if (prop.type !== "date-time" && prop.type !== "date") {
    throw new SemanticError(`event ${uid}: ${what} has no DATE-TIME value`);
  }
  const t = prop.getFirstValue();
  if (!(t instanceof ICAL.Time)) {
    throw new SemanticError(`event ${uid}: ${what} is not a valid time`);
  }
  if (t.isDate) {
    throw new SemanticError(`event ${uid}: ${what} is a DATE value, not a DATE-TIME`);
  }
  const tzid = prop.getParameter("tzid");
  // The raw value (jCal: "2026-12-03T13:30:00Z") tells a real UTC time apart
  // from a TZID that ical.js resolved to its built-in "UTC"/"GMT" alias.
  const isUtc = String(prop.jCal[3]).endsWith("Z");
  if (isUtc) {
    if (tzid) {
      throw new SemanticError(`event ${uid}: ${what} is UTC ('Z') but also has TZID=${tzid}`);
    }
    if (t.zone !== ICAL.Timezone.utcTimezone) {
      throw new SemanticError(`event ${uid}: ${what} ends in Z but ical.js did not mark it UTC`);
    }
    return t;
  }
  if (!tzid) {
    throw new SemanticError(`event ${uid}: ${what} is a floating time (no TZID and not UTC)`);
  }
  const vtz = zones.get(tzid);
  if (!vtz) {
    throw new SemanticError(
      `event ${uid}: ${what} has TZID=${tzid} but the file has no VTIMEZONE with that TZID`,
    );
  }
  const zone = t.zone;
  if (
    !zone ||
    zone === ICAL.Timezone.localTimezone ||
    zone === ICAL.Timezone.utcTimezone ||
    zone.tzid !== tzid ||
    zone.component !== vtz
  ) {
    throw new SemanticError(
      `event ${uid}: ical.js resolved ${what} TZID=${tzid} to zone ` +
        `'${zone ? zone.tzid : zone}', not to the file's VTIMEZONE`,
    );
  }
  const first = firstObservance(vtz);
  if (first === null) {
    throw new SemanticError(`VTIMEZONE ${tzid} has no usable STANDARD/DAYLIGHT observance`);
  }
  if (wallCmp(t, first) < 0) {
    throw new SemanticError(
      `event ${uid}: ${what} ${wallString(t)} is earlier than the first observance ` +
        `(${wallString(first)}) of VTIMEZONE ${tzid}; ` +
        "parsers disagree on offsets before the first observance",
    );
  }
  return t;
}

function eventLine(ev, zones) {
  const uid = ev.getFirstPropertyValue("uid");
  if (typeof uid !== "string" || uid === "") {
    throw new SemanticError("VEVENT without UID");
  }
  if (/[\x00-\x1f\x7f]/.test(uid)) {
    throw new SemanticError(`UID '${uid}' contains control characters`);
  }

  const ps = ev.getFirstProperty("dtstart");
  if (!ps) throw new SemanticError(`event ${uid}: no DTSTART`);
  const startLocal = zonedTime(ps, "DTSTART", uid, zones);
  const start = startLocal.toUnixTime();

  let end;
  const pe = ev.getFirstProperty("dtend");
  const pd = ev.getFirstProperty("duration");
  if (pe && pd) {
    throw new SemanticError(`event ${uid}: has both DTEND and DURATION`);
  } else if (pe) {
    end = zonedTime(pe, "DTEND", uid, zones).toUnixTime();
  } else if (pd) {
    const d = pd.getFirstValue();
    if (!(d instanceof ICAL.Duration)) throw new SemanticError(`event ${uid}: bad DURATION`);
    const e = startLocal.clone();
    e.addDuration(d); // wall-clock addition in DTSTART's zone
    end = e.toUnixTime();
  } else {
    end = start;
  }

  let alarm = "-";
  const valarm = ev.getFirstSubcomponent("valarm");
  if (valarm) {
    const pt = valarm.getFirstProperty("trigger");
    if (!pt) throw new SemanticError(`event ${uid}: VALARM without TRIGGER`);
    const trig = pt.getFirstValue();
    let fire;
    if (trig instanceof ICAL.Duration) {
      const related = (pt.getParameter("related") || "START").toUpperCase();
      fire = (related === "END" ? end : start) + trig.toSeconds();
    } else if (trig instanceof ICAL.Time) {
      if (trig.zone !== ICAL.Timezone.utcTimezone) {
        throw new SemanticError(`event ${uid}: absolute TRIGGER must be UTC`);
      }
      fire = trig.toUnixTime();
    } else {
      throw new SemanticError(`event ${uid}: unusable TRIGGER`);
    }
    alarm = formatUnix(fire);
  }

  const status = ev.getFirstPropertyValue("status");
  return `${uid}\t${formatUnix(start)}\t${formatUnix(end)}\t${alarm}\t${status ? String(status).toUpperCase() : "-"}`;
}

function main(argv) {
  if (argv.length !== 1) {
    process.stderr.write("usage: node icaljs_utc.mjs FILE.ics\n");
    return EXIT_USAGE;
  }
  const path = argv[0];
  const fail = (code, msg) => {
    process.stderr.write(`icaljs_utc: ${path}: ${msg}\n`);
    return code;
  };

  let text;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    return fail(EXIT_PARSE, `cannot read file: ${e.message}`);
  }

  let jcal;
  try {
    jcal = ICAL.parse(text);
  } catch (e) {
    return fail(EXIT_PARSE, `ical.js could not parse the file: ${e.message}`);
  }
  // One top-level component parses to ["vcalendar", ...], several to a list.
  const roots = typeof jcal[0] === "string" ? [jcal] : jcal;
  if (roots.length === 0) {
    return fail(EXIT_PARSE, "no VCALENDAR found");
  }

  const lines = [];
  try {
    for (const root of roots) {
      const cal = new ICAL.Component(root);
      if (cal.name !== "vcalendar") {
        return fail(EXIT_PARSE, `top-level ${cal.name.toUpperCase()} component is not a VCALENDAR`);
      }
      const zones = collectZones(cal, path);
      for (const ev of cal.getAllSubcomponents("vevent")) {
        lines.push(eventLine(ev, zones));
      }
    }
  } catch (e) {
    if (e instanceof SemanticError) {
      return fail(EXIT_SEMANTIC, e.message);
    }
    // Values are decoded lazily, so malformed values surface here.
    return fail(EXIT_PARSE, `ical.js error: ${e && e.message ? e.message : e}`);
  }
  if (lines.length > 0) {
    process.stdout.write(lines.join("\n") + "\n");
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
