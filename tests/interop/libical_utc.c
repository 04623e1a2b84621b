/*
 * libical_utc FILE.ics
 *
 * Interop probe for kyphoprep: parse an iCalendar file with libical and, for
 * every VEVENT, print one line
 *
 *     UID<TAB>DTSTART<TAB>DTEND<TAB>ALARM<TAB>STATUS
 *
 * Every time is the UTC instant as YYYY-MM-DDTHH:MM:SSZ.  ALARM is the instant
 * at which the first VALARM fires, or "-" if the event has none.  STATUS is
 * the event's STATUS as libical reads it (CONFIRMED, CANCELLED, ...) or "-".
 *
 * Before anything is printed, every VCALENDAR goes through libical's RFC 5546
 * restriction check (icalrestriction_check): the property counts each METHOD,
 * or no METHOD, allows.  Any violation is printed and the exit status is 3.
 *
 * Zoned times are resolved ONLY against the VTIMEZONE components of the
 * event's own VCALENDAR (icalcomponent_get_timezone); libical's builtin zone
 * database and the process TZ are never consulted.
 *
 * Exit status:
 *   0  success
 *   1  the file cannot be read or does not parse (libical returns nothing, no
 *      VCALENDAR, or the parser recorded X-LIC-ERROR properties)
 *   3  libical's restriction check found an error (see above)
 *   2  the file parses but a time cannot be turned into a UTC instant:
 *      TZID without a VTIMEZONE in the file, duplicate VTIMEZONE TZID,
 *      floating or DATE-only DTSTART/DTEND, TZID on a UTC value, a time
 *      earlier than the first observance of its VTIMEZONE, missing UID or
 *      DTSTART, an unusable TRIGGER, ...
 *  64  usage error
 *
 * Semantics shared with icaljs_utc.mjs (keep the two in sync):
 *   - DTEND missing: DTSTART + DURATION, added in local wall-clock time of
 *     DTSTART's zone (what both libraries do natively); neither present:
 *     DTEND = DTSTART (RFC 5545 3.6.1).
 *   - TRIGGER duration: exact seconds (a day = 86400 s) added to the UTC
 *     instant of DTSTART, or of DTEND with RELATED=END.  TRIGGER;VALUE=
 *     DATE-TIME must be UTC and is printed as is.
 */
#include <libical/ical.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_PARSE 1
#define EXIT_SEMANTIC 2
#define EXIT_RESTRICTION 3
#define EXIT_USAGE 64

static const char *g_path = "";

static void die(int code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "libical_utc: %s: ", g_path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(code);
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        die(EXIT_PARSE, "cannot open file");
    }
    size_t cap = 65536, len = 0;
    char *buf = malloc(cap + 1);
    if (!buf) {
        die(EXIT_PARSE, "out of memory");
    }
    for (;;) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (len < cap) {
            if (ferror(f)) {
                die(EXIT_PARSE, "read error");
            }
            break;
        }
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb) {
            die(EXIT_PARSE, "out of memory");
        }
        buf = nb;
    }
    fclose(f);
    buf[len] = '\0';
    if (strlen(buf) != len) {
        die(EXIT_PARSE, "file contains NUL bytes");
    }
    return buf;
}

/* Print every X-LIC-ERROR below comp to stderr; return how many there were. */
static int report_errors(icalcomponent *comp)
{
    int n = 0;
    icalproperty *p;
    for (p = icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY); p;
         p = icalcomponent_get_next_property(comp, ICAL_XLICERROR_PROPERTY)) {
        const char *msg = icalproperty_get_xlicerror(p);
        fprintf(stderr, "libical_utc: %s: parse error in %s: %s\n", g_path,
                icalcomponent_kind_to_string(icalcomponent_isa(comp)),
                msg ? msg : "(no message)");
        n++;
    }
    icalcomponent *c;
    for (c = icalcomponent_get_first_component(comp, ICAL_ANY_COMPONENT); c;
         c = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
        n += report_errors(c);
    }
    return n;
}

/* Compare only the wall-clock fields (zone ignored). */
static int wall_cmp(struct icaltimetype a, struct icaltimetype b)
{
    int av[6] = {a.year, a.month, a.day, a.hour, a.minute, a.second};
    int bv[6] = {b.year, b.month, b.day, b.hour, b.minute, b.second};
    for (int i = 0; i < 6; i++) {
        if (av[i] != bv[i]) {
            return av[i] < bv[i] ? -1 : 1;
        }
    }
    return 0;
}

static void format_utc(struct icaltimetype t, char out[32])
{
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", t.year, t.month, t.day, t.hour,
             t.minute, t.second);
}

/*
 * Reject duplicate TZIDs (which one libical picks would be arbitrary) and
 * VTIMEZONEs without a usable observance.
 */
static void check_vtimezones(icalcomponent *cal)
{
    icalcompiter it = icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
    for (; icalcompiter_deref(&it); icalcompiter_next(&it)) {
        icalcomponent *vtz = icalcompiter_deref(&it);
        icalproperty *tzp = icalcomponent_get_first_property(vtz, ICAL_TZID_PROPERTY);
        const char *tzid = tzp ? icalproperty_get_tzid(tzp) : NULL;
        if (!tzid || !*tzid) {
            die(EXIT_SEMANTIC, "VTIMEZONE without TZID");
        }
        int count = 0;
        icalcompiter jt = icalcomponent_begin_component(cal, ICAL_VTIMEZONE_COMPONENT);
        for (; icalcompiter_deref(&jt); icalcompiter_next(&jt)) {
            icalproperty *p2 =
                icalcomponent_get_first_property(icalcompiter_deref(&jt), ICAL_TZID_PROPERTY);
            const char *t2 = p2 ? icalproperty_get_tzid(p2) : NULL;
            if (t2 && strcmp(t2, tzid) == 0) {
                count++;
            }
        }
        if (count > 1) {
            die(EXIT_SEMANTIC, "VTIMEZONE TZID '%s' is defined %d times", tzid, count);
        }
    }
}

/* Earliest observance DTSTART (local wall-clock time) of a VTIMEZONE. */
static int first_observance(icalcomponent *vtz, struct icaltimetype *out)
{
    int found = 0;
    icalcompiter it = icalcomponent_begin_component(vtz, ICAL_ANY_COMPONENT);
    for (; icalcompiter_deref(&it); icalcompiter_next(&it)) {
        icalcomponent *obs = icalcompiter_deref(&it);
        icalcomponent_kind k = icalcomponent_isa(obs);
        if (k != ICAL_XSTANDARD_COMPONENT && k != ICAL_XDAYLIGHT_COMPONENT) {
            continue;
        }
        icalproperty *dp = icalcomponent_get_first_property(obs, ICAL_DTSTART_PROPERTY);
        if (!icalcomponent_get_first_property(obs, ICAL_TZOFFSETTO_PROPERTY) || !dp) {
            continue; /* libical ignores such observances too */
        }
        struct icaltimetype d = icalproperty_get_dtstart(dp);
        if (!found || wall_cmp(d, *out) < 0) {
            *out = d;
            found = 1;
        }
    }
    return found;
}

/*
 * Resolve a DTSTART/DTEND property to a time whose .zone is either the UTC
 * zone or the icaltimezone built from the file's own VTIMEZONE.
 */
static struct icaltimetype zoned_time(icalcomponent *cal, icalproperty *prop, const char *what,
                                      const char *uid)
{
    icalvalue *v = icalproperty_get_value(prop);
    if (!v || (icalvalue_isa(v) != ICAL_DATETIME_VALUE && icalvalue_isa(v) != ICAL_DATE_VALUE)) {
        die(EXIT_SEMANTIC, "event %s: %s has no DATE-TIME value", uid, what);
    }
    struct icaltimetype t = icalvalue_get_datetime(v);
    if (icaltime_is_null_time(t) || !icaltime_is_valid_time(t)) {
        die(EXIT_SEMANTIC, "event %s: %s is not a valid time", uid, what);
    }
    if (t.is_date) {
        die(EXIT_SEMANTIC, "event %s: %s is a DATE value, not a DATE-TIME", uid, what);
    }
    icalparameter *tzparam = icalproperty_get_first_parameter(prop, ICAL_TZID_PARAMETER);
    const char *tzid = tzparam ? icalparameter_get_tzid(tzparam) : NULL;
    if (icaltime_is_utc(t)) {
        if (tzid) {
            die(EXIT_SEMANTIC, "event %s: %s is UTC ('Z') but also has TZID=%s", uid, what,
                tzid);
        }
        return t;
    }
    if (!tzid) {
        die(EXIT_SEMANTIC, "event %s: %s is a floating time (no TZID and not UTC)", uid, what);
    }
    icaltimezone *zone = icalcomponent_get_timezone(cal, tzid);
    if (!zone) {
        die(EXIT_SEMANTIC, "event %s: %s has TZID=%s but the file has no VTIMEZONE with that TZID",
            uid, what, tzid);
    }
    icalcomponent *vtz = icaltimezone_get_component(zone);
    struct icaltimetype first;
    if (!vtz || !first_observance(vtz, &first)) {
        die(EXIT_SEMANTIC, "VTIMEZONE %s has no usable STANDARD/DAYLIGHT observance", tzid);
    }
    if (wall_cmp(t, first) < 0) {
        die(EXIT_SEMANTIC,
            "event %s: %s %s is earlier than the first observance (%s) of VTIMEZONE %s; "
            "parsers disagree on offsets before the first observance",
            uid, what, icaltime_as_ical_string(t), icaltime_as_ical_string(first), tzid);
    }
    t.zone = zone;
    return t;
}

static struct icaltimetype to_utc(struct icaltimetype t)
{
    return icaltime_convert_to_zone(t, icaltimezone_get_utc_timezone());
}

static void print_event(icalcomponent *cal, icalcomponent *ev)
{
    icalproperty *p = icalcomponent_get_first_property(ev, ICAL_UID_PROPERTY);
    const char *uid = p ? icalproperty_get_uid(p) : NULL;
    if (!uid || !*uid) {
        die(EXIT_SEMANTIC, "VEVENT without UID");
    }
    for (const char *c = uid; *c; c++) {
        if ((unsigned char)*c < 0x20 || *c == 0x7f) {
            die(EXIT_SEMANTIC, "UID '%s' contains control characters", uid);
        }
    }

    icalproperty *ps = icalcomponent_get_first_property(ev, ICAL_DTSTART_PROPERTY);
    if (!ps) {
        die(EXIT_SEMANTIC, "event %s: no DTSTART", uid);
    }
    struct icaltimetype start_local = zoned_time(cal, ps, "DTSTART", uid);
    struct icaltimetype start = to_utc(start_local);

    struct icaltimetype end;
    icalproperty *pe = icalcomponent_get_first_property(ev, ICAL_DTEND_PROPERTY);
    icalproperty *pd = icalcomponent_get_first_property(ev, ICAL_DURATION_PROPERTY);
    if (pe && pd) {
        die(EXIT_SEMANTIC, "event %s: has both DTEND and DURATION", uid);
    } else if (pe) {
        end = to_utc(zoned_time(cal, pe, "DTEND", uid));
    } else if (pd) {
        struct icaldurationtype d = icalproperty_get_duration(pd);
        if (icaldurationtype_is_bad_duration(d)) {
            die(EXIT_SEMANTIC, "event %s: bad DURATION", uid);
        }
        /* wall-clock addition in DTSTART's zone, like icalcomponent_get_dtend */
        end = to_utc(icaltime_add(start_local, d));
    } else {
        end = start;
    }

    icalproperty *pstatus = icalcomponent_get_first_property(ev, ICAL_STATUS_PROPERTY);
    const char *status =
        pstatus ? icalproperty_status_to_string(icalproperty_get_status(pstatus)) : "-";

    char s_start[32], s_end[32], s_alarm[32];
    format_utc(start, s_start);
    format_utc(end, s_end);
    strcpy(s_alarm, "-");

    icalcomponent *alarm = icalcomponent_get_first_component(ev, ICAL_VALARM_COMPONENT);
    if (alarm) {
        icalproperty *pt = icalcomponent_get_first_property(alarm, ICAL_TRIGGER_PROPERTY);
        if (!pt) {
            die(EXIT_SEMANTIC, "event %s: VALARM without TRIGGER", uid);
        }
        struct icaltriggertype trig = icalproperty_get_trigger(pt);
        struct icaltimetype fire;
        if (!icaltime_is_null_time(trig.time)) {
            if (!icaltime_is_utc(trig.time)) {
                die(EXIT_SEMANTIC, "event %s: absolute TRIGGER must be UTC", uid);
            }
            fire = trig.time;
        } else {
            if (icaldurationtype_is_bad_duration(trig.duration)) {
                die(EXIT_SEMANTIC, "event %s: bad TRIGGER duration", uid);
            }
            icalparameter *rel = icalproperty_get_first_parameter(pt, ICAL_RELATED_PARAMETER);
            struct icaltimetype base =
                (rel && icalparameter_get_related(rel) == ICAL_RELATED_END) ? end : start;
            /* base is UTC, so this is exact-seconds arithmetic */
            fire = icaltime_add(base, trig.duration);
            fire = to_utc(fire);
        }
        format_utc(fire, s_alarm);
    }

    printf("%s\t%s\t%s\t%s\t%s\n", uid, s_start, s_end, s_alarm, status ? status : "-");
}

/* libical's RFC 5546 restriction check; it adds X-LIC-ERROR properties for each violation. */
static void check_restrictions(icalcomponent *cal)
{
    icalrestriction_check(cal);
    if (report_errors(cal) > 0) {
        die(EXIT_RESTRICTION, "libical's restriction check failed (see above)");
    }
}

static void process_calendar(icalcomponent *cal)
{
    check_restrictions(cal);
    check_vtimezones(cal);
    icalcompiter it = icalcomponent_begin_component(cal, ICAL_VEVENT_COMPONENT);
    for (; icalcompiter_deref(&it); icalcompiter_next(&it)) {
        print_event(cal, icalcompiter_deref(&it));
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libical_utc FILE.ics\n");
        return EXIT_USAGE;
    }
    g_path = argv[1];
    char *text = read_file(argv[1]);

    icalcomponent *root = icalparser_parse_string(text);
    free(text);
    if (!root) {
        die(EXIT_PARSE, "libical could not parse the file");
    }
    if (report_errors(root) > 0) {
        die(EXIT_PARSE, "libical reported parse errors (see above)");
    }

    int ncal = 0;
    icalcomponent_kind kind = icalcomponent_isa(root);
    if (kind == ICAL_VCALENDAR_COMPONENT) {
        process_calendar(root);
        ncal = 1;
    } else if (kind == ICAL_XROOT_COMPONENT) {
        icalcompiter it = icalcomponent_begin_component(root, ICAL_ANY_COMPONENT);
        for (; icalcompiter_deref(&it); icalcompiter_next(&it)) {
            icalcomponent *c = icalcompiter_deref(&it);
            if (icalcomponent_isa(c) != ICAL_VCALENDAR_COMPONENT) {
                die(EXIT_PARSE, "top-level %s component is not a VCALENDAR",
                    icalcomponent_kind_to_string(icalcomponent_isa(c)));
            }
            process_calendar(c);
            ncal++;
        }
    }
    if (ncal == 0) {
        die(EXIT_PARSE, "no VCALENDAR found (top-level component is %s)",
            icalcomponent_kind_to_string(kind));
    }

    icalcomponent_free(root);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        die(EXIT_PARSE, "error writing output");
    }
    return 0;
}
