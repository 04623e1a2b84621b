"""The medicine catalogue (checklists/medications.toml): names, forms, suggestions, data rules, file errors.

The names come from the clinical reference (/work/shared/clinical-reference.md, sections 2, 4, 5
and 6), which is the source of every fact in the catalogue.
"""

from __future__ import annotations

import tomllib

import pytest

from kyphoprep.core.models import CatalogueEntry
from kyphoprep.data.builtin import builtin_text
from kyphoprep.data.catalogue import (
    FILE,
    _CatalogueReader,
    describe_match,
    load_catalogue,
    parse_catalogue_text,
)
from kyphoprep.errors import ChecklistError

ENTRIES = load_catalogue().entries

# --- Every drug and US brand of the clinical reference --------------------------------

# (name as typed, expected entry id), in the order of the reference's tables.
REFERENCE_NAMES = [
    # Section 2: anticoagulants
    ("warfarin", "warfarin"),
    ("Coumadin", "warfarin"),
    ("Jantoven", "warfarin"),
    ("acenocoumarol", "acenocoumarol"),
    ("Sintrom", "acenocoumarol"),
    ("apixaban", "apixaban"),
    ("Eliquis", "apixaban"),
    ("rivaroxaban", "rivaroxaban"),
    ("Xarelto", "rivaroxaban"),
    ("edoxaban", "edoxaban"),
    ("Savaysa", "edoxaban"),
    ("Lixiana", "edoxaban"),
    ("dabigatran", "dabigatran"),
    ("Pradaxa", "dabigatran"),
    ("heparin", "heparin"),
    ("enoxaparin", "enoxaparin"),
    ("Lovenox", "enoxaparin"),
    ("dalteparin", "dalteparin"),
    ("Fragmin", "dalteparin"),
    ("fondaparinux", "fondaparinux"),
    ("Arixtra", "fondaparinux"),
    # Section 2: antiplatelets (aspirin + dipyridamole, Aggrenox and Persantine are not in the catalogue)
    ("aspirin", "aspirin"),
    ("Bayer", "aspirin"),
    ("Ecotrin", "aspirin"),
    ("Bufferin", "aspirin"),
    ("St. Joseph", "aspirin"),
    ("Excedrin", "aspirin"),
    ("cilostazol", "cilostazol"),
    ("Pletal", "cilostazol"),
    ("clopidogrel", "clopidogrel"),
    ("Plavix", "clopidogrel"),
    ("prasugrel", "prasugrel"),
    ("Effient", "prasugrel"),
    ("ticagrelor", "ticagrelor"),
    ("Brilinta", "ticagrelor"),
    ("ticlopidine", "ticlopidine"),
    ("Ticlid", "ticlopidine"),
    ("dipyridamole", "dipyridamole"),
    ("Persantine", "dipyridamole"),
    ("Aggrenox", "aspirin-dipyridamole"),
    ("unfractionated heparin", "heparin"),
    # Section 2: NSAIDs
    ("ibuprofen", "ibuprofen"),
    ("Advil", "ibuprofen"),
    ("Motrin", "ibuprofen"),
    ("diclofenac", "diclofenac"),
    ("Voltaren", "diclofenac"),
    ("Cataflam", "diclofenac"),
    ("Zipsor", "diclofenac"),
    ("Zorvolex", "diclofenac"),
    ("ketorolac", "ketorolac"),
    ("Toradol", "ketorolac"),
    ("Sprix", "ketorolac"),
    ("etodolac", "etodolac"),
    ("Lodine", "etodolac"),
    ("indomethacin", "indomethacin"),
    ("Indocin", "indomethacin"),
    ("Tivorbex", "indomethacin"),
    ("naproxen", "naproxen"),
    ("Aleve", "naproxen"),
    ("Naprosyn", "naproxen"),
    ("Anaprox", "naproxen"),
    ("meloxicam", "meloxicam"),
    ("Mobic", "meloxicam"),
    ("Vivlodex", "meloxicam"),
    ("nabumetone", "nabumetone"),
    ("Relafen", "nabumetone"),
    ("oxaprozin", "oxaprozin"),
    ("Daypro", "oxaprozin"),
    ("piroxicam", "piroxicam"),
    ("Feldene", "piroxicam"),
    ("celecoxib", "celecoxib"),
    ("Celebrex", "celecoxib"),
    # Section 2: SSRIs and SNRIs
    ("fluoxetine", "fluoxetine"),
    ("Prozac", "fluoxetine"),
    ("sertraline", "sertraline"),
    ("Zoloft", "sertraline"),
    ("paroxetine", "paroxetine"),
    ("Paxil", "paroxetine"),
    ("citalopram", "citalopram"),
    ("Celexa", "citalopram"),
    ("escitalopram", "escitalopram"),
    ("Lexapro", "escitalopram"),
    ("duloxetine", "duloxetine"),
    ("Cymbalta", "duloxetine"),
    ("venlafaxine", "venlafaxine"),
    ("Effexor XR", "venlafaxine"),
    ("desvenlafaxine", "desvenlafaxine"),
    ("Pristiq", "desvenlafaxine"),
    # Section 2: supplements
    ("garlic", "garlic"),
    ("ginkgo biloba", "ginkgo"),
    ("ginseng", "ginseng"),
    ("fish oil", "fish-oil"),
    ("omega-3", "fish-oil"),
    ("Lovaza", "fish-oil"),
    ("Vascepa", "fish-oil"),
    ("vitamin E", "vitamin-e"),
    ("turmeric", "turmeric"),
    ("curcumin", "turmeric"),
    ("herbal supplement", "herbal-supplement"),
    # Section 4: GLP-1 and GIP/GLP-1
    ("semaglutide", "semaglutide"),
    ("Ozempic", "semaglutide"),
    ("Wegovy", "semaglutide"),
    ("Rybelsus", "semaglutide"),
    ("tirzepatide", "tirzepatide"),
    ("Mounjaro", "tirzepatide"),
    ("Zepbound", "tirzepatide"),
    ("dulaglutide", "dulaglutide"),
    ("Trulicity", "dulaglutide"),
    ("liraglutide", "liraglutide"),
    ("Victoza", "liraglutide"),
    ("Saxenda", "liraglutide"),
    ("exenatide", "exenatide"),
    ("Byetta", "exenatide"),
    ("Bydureon BCise", "exenatide"),
    ("lixisenatide", "lixisenatide"),
    ("Adlyxin", "lixisenatide"),
    # Section 5: SGLT2 inhibitors, with their combination brands
    ("canagliflozin", "canagliflozin"),
    ("Invokana", "canagliflozin"),
    ("Invokamet", "canagliflozin"),
    ("Invokamet XR", "canagliflozin"),
    ("dapagliflozin", "dapagliflozin"),
    ("Farxiga", "dapagliflozin"),
    ("Xigduo XR", "dapagliflozin"),
    ("Qtern", "dapagliflozin"),
    ("empagliflozin", "empagliflozin"),
    ("Jardiance", "empagliflozin"),
    ("Synjardy", "empagliflozin"),
    ("Synjardy XR", "empagliflozin"),
    ("Glyxambi", "empagliflozin"),
    ("Trijardy XR", "empagliflozin"),
    ("ertugliflozin", "ertugliflozin"),
    ("Steglatro", "ertugliflozin"),
    ("Segluromet", "ertugliflozin"),
    ("Steglujan", "ertugliflozin"),
    ("bexagliflozin", "bexagliflozin"),
    ("Brenzavvy", "bexagliflozin"),
    ("sotagliflozin", "sotagliflozin"),
    ("Inpefa", "sotagliflozin"),
    # Section 6: other diabetes medicines
    ("metformin", "metformin"),
    ("Glucophage", "metformin"),
    ("Glumetza", "metformin"),
    ("Fortamet", "metformin"),
    ("Riomet", "metformin"),
    ("glipizide", "glipizide"),
    ("Glucotrol", "glipizide"),
    ("Glucotrol XL", "glipizide"),
    ("glyburide", "glyburide"),
    ("Diabeta", "glyburide"),
    ("Glynase", "glyburide"),
    ("glimepiride", "glimepiride"),
    ("Amaryl", "glimepiride"),
    ("sitagliptin", "sitagliptin"),
    ("Januvia", "sitagliptin"),
    ("linagliptin", "linagliptin"),
    ("Tradjenta", "linagliptin"),
    ("saxagliptin", "saxagliptin"),
    ("Onglyza", "saxagliptin"),
    ("alogliptin", "alogliptin"),
    ("Nesina", "alogliptin"),
    ("repaglinide", "repaglinide"),
    ("Prandin", "repaglinide"),
    ("nateglinide", "nateglinide"),
    ("Starlix", "nateglinide"),
    ("pioglitazone", "pioglitazone"),
    ("Actos", "pioglitazone"),
    # Section 6: insulin
    ("NPH insulin", "insulin-nph"),
    ("Humulin N", "insulin-nph"),
    ("Novolin N", "insulin-nph"),
    ("glargine", "insulin-glargine"),
    ("Lantus", "insulin-glargine"),
    ("Basaglar", "insulin-glargine"),
    ("Toujeo", "insulin-glargine"),
    ("Semglee", "insulin-glargine"),
    ("detemir", "insulin-detemir"),
    ("Levemir", "insulin-detemir"),
    ("degludec", "insulin-degludec"),
    ("Tresiba", "insulin-degludec"),
    ("insulin pump", "insulin-pump"),
    ("Humalog", "insulin-lispro"),
    ("Lyumjev", "insulin-lispro"),
    ("Novolog", "insulin-aspart"),
    ("Fiasp", "insulin-aspart"),
    ("Apidra", "insulin-glulisine"),
    ("Humulin R", "insulin-regular"),
    # Added by the clinical review (issue 14): names people use, combinations, and more medicines
    ("ASA", "aspirin"),
    ("baby aspirin", "aspirin"),
    ("aspirin 81", "aspirin"),
    ("Goody's", "aspirin"),
    ("BC Powder", "aspirin"),
    ("Alka-Seltzer", "aspirin"),
    ("Arthrotec", "diclofenac"),
    ("Vimovo", "naproxen"),
    ("Duexis", "ibuprofen"),
    ("vorapaxar", "vorapaxar"),
    ("Zontivity", "vorapaxar"),
    ("Humulin 70/30", "insulin-premixed"),
    ("Novolin 70/30", "insulin-premixed"),
    ("Humalog Mix 75/25", "insulin-premixed"),
    ("Novolog Mix 70/30", "insulin-premixed"),
    ("insulin 70/30", "insulin-premixed"),
    ("Soliqua", "insulin-glargine-lixisenatide"),
    ("Xultophy", "insulin-degludec-liraglutide"),
    ("ginger", "ginger"),
    ("feverfew", "feverfew"),
    ("echinacea", "echinacea"),
    ("St John's wort", "st-johns-wort"),
    ("krill oil", "fish-oil"),
    ("alendronate", "alendronate"),
    ("Fosamax", "alendronate"),
    ("risedronate", "risedronate"),
    ("Actonel", "risedronate"),
    ("ibandronate", "ibandronate"),
    ("Boniva", "ibandronate"),
    ("zoledronic acid", "zoledronic-acid"),
    ("Reclast", "zoledronic-acid"),
    ("denosumab", "denosumab"),
    ("Prolia", "denosumab"),
    ("teriparatide", "teriparatide"),
    ("Forteo", "teriparatide"),
    ("abaloparatide", "abaloparatide"),
    ("Tymlos", "abaloparatide"),
    ("romosozumab", "romosozumab"),
    ("Evenity", "romosozumab"),
    # Spanish generic names, with or without their accents
    ("warfarina", "warfarin"),
    ("aspirina", "aspirin"),
    ("metformina", "metformin"),
    ("apixabán", "apixaban"),
    ("rivaroxaban", "rivaroxaban"),
    ("ibuprofeno", "ibuprofen"),
    ("insulina glargina", "insulin-glargine"),
]


@pytest.mark.parametrize(("name", "expected"), REFERENCE_NAMES, ids=[name for name, _ in REFERENCE_NAMES])
def test_every_reference_name_is_found(name: str, expected: str) -> None:
    """Each generic and US brand name of the clinical reference finds its catalogue entry."""
    match = load_catalogue().find(name)
    assert match is not None, f"{name!r} is not in the catalogue"
    assert match.entry.id == expected


def test_every_entry_is_covered_by_the_reference_table() -> None:
    """Every catalogue entry is reached by at least one name of the reference table above."""
    covered = {expected for _, expected in REFERENCE_NAMES}
    assert [entry.id for entry in ENTRIES if entry.id not in covered] == []


@pytest.mark.parametrize(
    ("name", "expected", "spelled"),
    [
        ("ELIQUIS", "apixaban", "Eliquis"),
        ("eliquis", "apixaban", "Eliquis"),
        ("  Eliquis  ", "apixaban", "Eliquis"),
        ("st joseph", "aspirin", "St. Joseph"),
        ("St. Joseph", "aspirin", "St. Joseph"),
        ("STJOSEPH", "aspirin", "St. Joseph"),
        ("humulin-n", "insulin-nph", "Humulin N"),
        ("XIGDUO xr", "dapagliflozin", "Xigduo XR"),
        ("Acetylsalicylic-Acid", "aspirin", "acetylsalicylic acid"),
    ],
    ids=["upper", "lower", "padded", "no-dot", "dot", "no-space", "hyphen", "mixed", "alias"],
)
def test_lookup_ignores_case_spaces_and_punctuation(name: str, expected: str, spelled: str) -> None:
    """Case, spaces and punctuation do not matter, and the match keeps the catalogue's spelling."""
    match = load_catalogue().find(name)
    assert match is not None
    assert (match.entry.id, match.spelled) == (expected, spelled)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Eliquis", "Eliquis (apixaban)"), ("apixaban", "apixaban"), ("Humulin N", "Humulin N (NPH insulin)")],
    ids=["brand", "generic", "brand-of-insulin"],
)
def test_describe_match(name: str, expected: str) -> None:
    """A brand is shown with its generic name in brackets; a generic name alone."""
    match = load_catalogue().find(name)
    assert match is not None
    assert describe_match(match) == expected


# --- Brands that imply a form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entry_id", "form_id"),
    [
        ("Ozempic", "semaglutide", "weekly"),
        ("Wegovy", "semaglutide", "weekly"),
        ("Rybelsus", "semaglutide", "daily"),
        ("Byetta", "exenatide", "twice-daily"),
        ("Bydureon BCise", "exenatide", "weekly"),
    ],
    ids=["Ozempic", "Wegovy", "Rybelsus", "Byetta", "Bydureon BCise"],
)
def test_brand_implies_form(name: str, entry_id: str, form_id: str) -> None:
    """A brand sold in one form only (Rybelsus is the daily pill) picks that form."""
    match = load_catalogue().find(name)
    assert match is not None
    assert match.entry.id == entry_id
    assert match.form is not None
    assert match.form.id == form_id
    assert match.is_brand


@pytest.mark.parametrize("name", ["semaglutide", "exenatide"], ids=["semaglutide", "exenatide"])
def test_generic_name_leaves_form_open(name: str) -> None:
    """The generic name of a medicine with forms does not pick one: the person must say which."""
    match = load_catalogue().find(name)
    assert match is not None
    assert match.form is None
    assert match.entry.has_forms


# --- Misspellings ----------------------------------------------------------------------

MISSPELLINGS = [
    ("Elliquis", "Eliquis (apixaban)"),
    ("Eloquis", "Eliquis (apixaban)"),
    ("warfarn", "warfarin"),
    ("Coumadine", "Coumadin (warfarin)"),
    ("Zarelto", "Xarelto (rivaroxaban)"),
    ("Xareltto", "Xarelto (rivaroxaban)"),
    ("Pradaxxa", "Pradaxa (dabigatran)"),
    ("Lovanox", "Lovenox (enoxaparin)"),
    ("clopidogrl", "clopidogrel"),
    ("Brilenta", "Brilinta (ticagrelor)"),
    ("Effiant", "Effient (prasugrel)"),
    ("asprin", "aspirin"),
    ("ibuprofin", "ibuprofen"),
    ("naproxin", "naproxen"),
    ("ozempik", "Ozempic (semaglutide)"),
    ("Wegovey", "Wegovy (semaglutide)"),
    ("Rybelsis", "Rybelsus (semaglutide)"),
    ("Monjaro", "Mounjaro (tirzepatide)"),
    ("Trulicty", "Trulicity (dulaglutide)"),
    ("Victosa", "Victoza (liraglutide)"),
    ("Byeta", "Byetta (exenatide)"),
    ("Jardience", "Jardiance (empagliflozin)"),
    ("Farxigga", "Farxiga (dapagliflozin)"),
    ("Invokanna", "Invokana (canagliflozin)"),
    ("metformine", "metformin"),
    ("metforman", "metformin"),
    ("glipizid", "glipizide"),
    ("Januvea", "Januvia (sitagliptin)"),
    ("Levimir", "Levemir (insulin detemir)"),
    ("Novalog", "Novolog (insulin aspart)"),
    ("Humalogg", "Humalog (insulin lispro)"),
    ("zoloftt", "Zoloft (sertraline)"),
]


@pytest.mark.parametrize(("typo", "expected"), MISSPELLINGS, ids=[typo for typo, _ in MISSPELLINGS])
def test_misspelling_is_refused_with_a_suggestion(typo: str, expected: str) -> None:
    """A misspelled name never matches, and the intended medicine is the first suggestion."""
    catalogue = load_catalogue()
    assert catalogue.find(typo) is None
    suggestions = catalogue.suggestions(typo)
    assert suggestions, f"no suggestion for {typo!r}"
    assert describe_match(suggestions[0]) == expected


def test_suggestions_respect_limit_and_dedupe() -> None:
    """A name inside many names ("insulin") gives at most *limit* suggestions, each entry and form once."""
    catalogue = load_catalogue()
    suggestions = catalogue.suggestions("insulin", limit=3)
    assert len(suggestions) == 3
    keys = [(s.entry.id, s.form) for s in catalogue.suggestions("insulin")]
    assert len(keys) == len(set(keys)) > 3


# --- No false suggestions --------------------------------------------------------------


NOT_IN_CATALOGUE = [
    # Osteoporosis medicines without a catalogue entry (the bisphosphonates and shots have one)
    "raloxifene",
    "Evista",
    "calcitonin",
    "Miacalcin",
    "calcium carbonate",
    "Caltrate",
    "Citracal",
    "Vitamin D3",
    "cholecalciferol",
    # Heart, blood pressure, cholesterol
    "lisinopril",
    "atorvastatin",
    "Lipitor",
    "simvastatin",
    "Zocor",
    "rosuvastatin",
    "Crestor",
    "metoprolol",
    "Toprol XL",
    "carvedilol",
    "amlodipine",
    "Norvasc",
    "losartan",
    "hydrochlorothiazide",
    "furosemide",
    "Lasix",
    "spironolactone",
    "diltiazem",
    "digoxin",
    # Thyroid, stomach, bowels
    "levothyroxine",
    "Synthroid",
    "omeprazole",
    "Prilosec",
    "pantoprazole",
    "famotidine",
    "docusate",
    "Miralax",
    # Pain, nerves, muscles
    "gabapentin",
    "Neurontin",
    "pregabalin",
    "Lyrica",
    "tramadol",
    "oxycodone",
    "Percocet",
    "hydrocodone",
    "Norco",
    "acetaminophen",
    "Tylenol",
    "Tylenol PM",
    "cyclobenzaprine",
    "baclofen",
    "lidocaine patch",
    "prednisone",
    "methylprednisolone",
    # Other
    "donepezil",
    "tamsulosin",
    "trazodone",
    "lorazepam",
    "zolpidem",
    "melatonin",
    "Centrum",
    # One short word apart from "vitamin E", but a different medicine, not a typo.
    "vitamin D",
    "vitamin C",
    "vitamin K",
    "vitamin B12",
]


def test_name_containing_a_catalogue_name_is_asked_about_not_guessed() -> None:
    """'Excedrin PM' (no aspirin) contains 'Excedrin' (aspirin): kyphoprep asks rather than guessing.

    The person answers with the right name, or writes other:Excedrin PM for a different medicine.
    """
    catalogue = load_catalogue()
    assert catalogue.find("Excedrin PM") is None
    assert [describe_match(s) for s in catalogue.suggestions("Excedrin PM")] == ["Excedrin (aspirin)"]


@pytest.mark.parametrize(
    "name",
    NOT_IN_CATALOGUE,
    ids=NOT_IN_CATALOGUE,
)
def test_common_medicine_outside_catalogue_gets_no_suggestion(name: str) -> None:
    """A common medicine that the catalogue does not list is neither matched nor "corrected"."""
    catalogue = load_catalogue()
    assert catalogue.find(name) is None
    assert [describe_match(s) for s in catalogue.suggestions(name)] == []


@pytest.mark.parametrize("name", ["", "   ", "--"], ids=["empty", "spaces", "punctuation"])
def test_blank_name_has_no_match_and_no_suggestion(name: str) -> None:
    """A name without letters or digits matches nothing and suggests nothing."""
    catalogue = load_catalogue()
    assert catalogue.find(name) is None
    assert catalogue.suggestions(name) == []


# --- Data rules for every entry and form ---------------------------------------------------

BLOOD_THINNERS = {
    # anticoagulants
    "warfarin",
    "acenocoumarol",
    "apixaban",
    "rivaroxaban",
    "edoxaban",
    "dabigatran",
    "heparin",
    "enoxaparin",
    "dalteparin",
    "fondaparinux",
    # antiplatelets
    "aspirin",
    "cilostazol",
    "clopidogrel",
    "prasugrel",
    "ticagrelor",
    "ticlopidine",
    "dipyridamole",
    "aspirin-dipyridamole",
    "vorapaxar",
}


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_rules_follow_the_reference_grading(entry: CatalogueEntry) -> None:
    """Each rule has a source and a grade A-D; grade D never sets a stop; C and D are unconfirmed."""
    for form in entry.forms:
        rule = form.rule
        where = f"{entry.id}:{form.id}"
        assert rule.sources, where
        assert rule.grade in ("A", "B", "C", "D"), where
        assert not (rule.grade == "D" and rule.action == "stop"), where
        assert rule.unconfirmed is (rule.grade in ("C", "D")), where


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_hold_only_on_stop(entry: CatalogueEntry) -> None:
    """A "stop" rule has a hold (with a shorter start of range, if any); any other action has none."""
    for form in entry.forms:
        rule = form.rule
        where = f"{entry.id}:{form.id}"
        if rule.action == "stop":
            assert rule.hold is not None, where
            assert rule.hold.amount > 0, where
            if rule.hold_from is not None:
                assert rule.hold.unit == "days", where
                assert 0 < rule.hold_from < rule.hold.amount, where
        else:
            assert rule.hold is None, where
            assert rule.hold_from is None, where


@pytest.mark.parametrize("entry", ENTRIES, ids=[entry.id for entry in ENTRIES])
def test_entry_forms_are_named(entry: CatalogueEntry) -> None:
    """An entry with several forms asks a question and names every form; a single form has no id."""
    if entry.has_forms:
        assert entry.form_question, entry.id
        for form in entry.forms:
            assert form.id, entry.id
            assert form.label, entry.id
        assert len({form.id for form in entry.forms}) == len(entry.forms), entry.id
    else:
        assert len(entry.forms) == 1
        assert entry.forms[0].id == ""
        assert entry.forms[0].brands == ()


def test_blood_thinners_are_exactly_anticoagulants_and_antiplatelets() -> None:
    """Only anticoagulants and antiplatelets (aspirin too) are blood thinners; no NSAID, SSRI or herb."""
    assert {entry.id for entry in ENTRIES if entry.blood_thinner} == BLOOD_THINNERS
    for entry in ENTRIES:
        if any(word in entry.drug_class for word in ("NSAID", "SSRI", "SNRI", "Supplement")):
            assert not entry.blood_thinner, entry.id


def test_entry_ids_are_unique() -> None:
    """No two entries of the shipped catalogue share an id."""
    ids = [entry.id for entry in ENTRIES]
    assert len(ids) == len(set(ids))


# --- Malformed catalogue files ------------------------------------------------------------

MEDICINE = """\
[[medicines]]
id = "warfarin"
generic = "warfarin"
brands = ["Coumadin"]
class = "Blood thinner (vitamin K antagonist)"
blood_thinner = true
action = "stop"
days = 5
restart = "6h"
grade = "B"
source = ["asra-2018"]
"""

# [reminders] and one [sources] entry copied from checklists/medications.toml, and one medicine.
VALID = f"""\
format = 1

[reminders]
skip-procedure-day = {{ rule = "days-before", days = 1, at = "20:00" }}
skip-morning-dose = {{ rule = "days-before", days = 1, at = "20:00" }}
change-dose = {{ rule = "days-before", days = 1, at = "18:00" }}
move-dose = {{ rule = "days-before", days = 1, at = "19:00" }}
ask-doctor = {{ rule = "days-before", days = 10, at = "10:00" }}

[sources]
asra-2018 = "Narouze S et al. Interventional spine and pain procedures in patients on antiplatelet and \
anticoagulant medications, 2nd ed. Reg Anesth Pain Med 2018;43:225-262"

{MEDICINE}"""

OTHER_MEDICINE = MEDICINE.replace('"warfarin"', '"jantoven"')
GENERIC_IS_BRAND = (
    MEDICINE.replace('id = "warfarin"', 'id = "other"')
    .replace('generic = "warfarin"', 'generic = "coumadin"')
    .replace('brands = ["Coumadin"]\n', "")
)
SAME_ID = MEDICINE.replace('generic = "warfarin"', 'generic = "other"').replace('brands = ["Coumadin"]\n', "")
FORM = '\n[[medicines.forms]]\nid = "{}"\nlabel = "a {} dose"\n'
QUESTION = 'form_question = "the dose"\n'
TWO_FORMS = FORM.format("low", "low") + FORM.format("high", "high")
END = 'source = ["asra-2018"]\n'
WARFARIN = "clinic.toml, step 'warfarin'"


def _edit(old: str, new: str) -> str:
    """VALID with its one occurrence of *old* replaced by *new*."""
    assert VALID.count(old) == 1, old
    return VALID.replace(old, new)


def test_minimal_catalogue_is_valid() -> None:
    """The text the malformed cases start from parses, so each case fails only for its own change."""
    catalogue = parse_catalogue_text(VALID, "clinic.toml")
    assert [entry.id for entry in catalogue.entries] == ["warfarin"]
    rule = catalogue.entries[0].forms[0].rule
    assert rule.hold is not None
    assert (rule.action, rule.hold.given_as, rule.grade) == ("stop", "5d", "B")
    assert catalogue.find("coumadin") is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            _edit("days = 5", "days = "),
            "clinic.toml: not valid TOML (Invalid value (at line 20, column 8))",
            id="not-toml",
        ),
        pytest.param(
            _edit("format = 1", "format = 2"), "clinic.toml, field 'format': must be 1", id="format"
        ),
        pytest.param(
            _edit("format = 1\n", 'format = 1\ncolour = "blue"\n'),
            "clinic.toml, field 'colour': unknown field (check the spelling)",
            id="unknown-top-level-key",
        ),
        pytest.param(
            _edit("days = 5", "dayz = 5"),
            f"{WARFARIN}, field 'dayz': unknown field (check the spelling)",
            id="unknown-medicine-key",
        ),
        pytest.param(
            _edit('generic = "warfarin"\n', ""),
            f"{WARFARIN}, field 'generic': must be a non-empty string",
            id="missing-generic",
        ),
        pytest.param(
            _edit('class = "Blood thinner (vitamin K antagonist)"\n', ""),
            f"{WARFARIN}, field 'class': must be a non-empty string",
            id="missing-class",
        ),
        pytest.param(
            _edit('id = "warfarin"', 'id = "Warfarin"'),
            "clinic.toml, step 'medicines #1', field 'id': needs an id of lower-case letters, digits and '-'",
            id="bad-id",
        ),
        pytest.param(
            _edit('action = "stop"', 'action = "pause"'),
            f"{WARFARIN}, field 'action': must be one of: stop, skip-procedure-day, skip-morning-dose, "
            "change-dose, move-dose, ask-doctor, keep-taking",
            id="bad-action",
        ),
        pytest.param(
            _edit('grade = "B"', 'grade = "E"'),
            f'{WARFARIN}, field \'grade\': must be "A", "B", "C" or "D"',
            id="bad-grade",
        ),
        pytest.param(
            _edit('grade = "B"', 'grade = "D"'),
            f'{WARFARIN}: a grade D value cannot set a stop date; use action "ask-doctor"',
            id="grade-d-stop",
        ),
        pytest.param(
            _edit("days = 5", "days = 5\nhours = 24"),
            f"{WARFARIN}, field 'hours': give days or hours, not both",
            id="stop-days-and-hours",
        ),
        pytest.param(
            _edit("days = 5\n", ""),
            f"{WARFARIN}, field 'days': a stop needs days or hours",
            id="stop-neither",
        ),
        pytest.param(
            _edit("days = 5", "days = 0"), f"{WARFARIN}, field 'days': must be between 1 and 60", id="days-0"
        ),
        pytest.param(
            _edit("days = 5", "days = 61"),
            f"{WARFARIN}, field 'days': must be between 1 and 60",
            id="days-61",
        ),
        pytest.param(
            _edit("days = 5", 'days = "5"'),
            f"{WARFARIN}, field 'days': must be a whole number",
            id="days-text",
        ),
        pytest.param(
            _edit("days = 5", "hours = 1441"),
            f"{WARFARIN}, field 'hours': must be between 1 and 1440",
            id="hours-1441",
        ),
        pytest.param(
            _edit("days = 5", "days_from = 5\ndays = 5"),
            f"{WARFARIN}, field 'days_from': the short end of the range must be less than days (5)",
            id="days-from-equal-days",
        ),
        pytest.param(
            _edit("days = 5", "days_from = 1\ndays = 1"),
            f"{WARFARIN}, field 'days_from': the short end of the range must be less than days (1)",
            id="days-from-with-1-day",
        ),
        pytest.param(
            _edit("days = 5", "days_from = 2\nhours = 24"),
            f"{WARFARIN}, field 'days_from': days_from goes with days",
            id="days-from-with-hours",
        ),
        pytest.param(
            _edit("days = 5", 'days = 5\nwhen = { rule = "days-before", days = 1, at = "20:00" }'),
            f"{WARFARIN}, field 'when': a stop is timed by its hold; leave out 'when'",
            id="when-on-stop",
        ),
        pytest.param(
            _edit('action = "stop"', 'action = "ask-doctor"'),
            f"{WARFARIN}, field 'days': only a stop has a hold; leave out 'days'",
            id="days-on-ask-doctor",
        ),
        pytest.param(
            _edit('restart = "6h"', 'restart = "tomorrow"'),
            f'{WARFARIN}, field \'restart\': use "24h", "12-24h", "eating" or "ask"',
            id="restart-tomorrow",
        ),
        pytest.param(
            _edit('restart = "6h"', 'restart = "200h"'),
            f"{WARFARIN}, field 'restart': hours must be from 1 to 168, low before high",
            id="restart-200h",
        ),
        pytest.param(
            _edit('restart = "6h"', 'restart = "24-12h"'),
            f"{WARFARIN}, field 'restart': hours must be from 1 to 168, low before high",
            id="restart-high-before-low",
        ),
        pytest.param(
            _edit('grade = "B"', 'grade = "B"\nlabs = ["inr"]'),
            f"{WARFARIN}, field 'labs': unknown lab 'inr' (add it to [labs])",
            id="unknown-lab",
        ),
        pytest.param(
            _edit(END, 'source = ["asra-2019"]\n'),
            f"{WARFARIN}, field 'source': unknown source 'asra-2019' (add it to [sources])",
            id="unknown-source",
        ),
        pytest.param(
            _edit(END, ""),
            f"{WARFARIN}, field 'source': give at least one source key",
            id="missing-source",
        ),
        pytest.param(
            _edit(END, END + "\n" + OTHER_MEDICINE),
            "clinic.toml, step 'jantoven': the name 'Coumadin' is also used by 'warfarin'",
            id="brand-of-two-medicines",
        ),
        pytest.param(
            _edit(END, END + "\n" + GENERIC_IS_BRAND),
            "clinic.toml, step 'other': the name 'coumadin' is also used by 'warfarin'",
            id="generic-of-two-medicines",
        ),
        pytest.param(
            _edit('brands = ["Coumadin"]', 'brands = "Coumadin"'),
            f"{WARFARIN}, field 'brands': must be a list of non-empty strings",
            id="brands-not-a-list",
        ),
        pytest.param(
            _edit('brands = ["Coumadin"]', 'brands = ["--"]'),
            f"{WARFARIN}: the name '--' has no letters or digits",
            id="brand-without-letters",
        ),
        pytest.param(
            _edit(END, END + FORM.format("only", "single")),
            f"{WARFARIN}, field 'forms': give two or more [[medicines.forms]], or none",
            id="one-form",
        ),
        pytest.param(
            _edit(END, END + TWO_FORMS),
            f"{WARFARIN}, field 'form_question': say what picks a form (e.g. \"the dose\")",
            id="forms-without-question",
        ),
        pytest.param(
            _edit(END, f'{END}{QUESTION}{FORM.format("low", "low")}\n[[medicines.forms]]\nid = "high"\n'),
            "clinic.toml, step 'warfarin:high', field 'label': must be a non-empty string",
            id="form-without-label",
        ),
        pytest.param(
            _edit(
                END,
                f'{END}{QUESTION}\n[[medicines.forms]]\nlabel = "a low dose"\n{FORM.format("high", "high")}',
            ),
            "clinic.toml, step 'warfarin form #1', field 'id': "
            "needs an id of lower-case letters, digits and '-'",
            id="form-without-id",
        ),
        pytest.param(
            _edit("blood_thinner = true", 'blood_thinner = "yes"'),
            f"{WARFARIN}, field 'blood_thinner': must be true or false",
            id="blood-thinner-not-bool",
        ),
        pytest.param(
            _edit('change-dose = { rule = "days-before", days = 1, at = "18:00" }\n', ""),
            "clinic.toml, step 'reminders', field 'change-dose': a reminder time is missing",
            id="missing-reminder",
        ),
        pytest.param(
            _edit("[sources]", 'stop = { rule = "days-before", days = 1, at = "20:00" }\n\n[sources]'),
            "clinic.toml, step 'reminders', field 'stop': unknown field (check the spelling)",
            id="reminder-for-stop",
        ),
        pytest.param(
            _edit(MEDICINE, ""),
            "clinic.toml, field 'medicines': the catalogue needs at least one medicine",
            id="no-medicines",
        ),
        pytest.param(
            _edit("format = 1\n", "format = 1\nmedicines = []\n").replace(MEDICINE, ""),
            "clinic.toml, field 'medicines': the catalogue needs at least one medicine",
            id="empty-medicines-list",
        ),
        pytest.param(
            _edit('grade = "B"', 'grade = "B"\nliquid_diet_hours = 100'),
            f"{WARFARIN}, field 'liquid_diet_hours': must be between 1 and 72",
            id="liquid-diet-hours-100",
        ),
    ],
)
def test_malformed_catalogue_is_refused_with_its_place(text: str, message: str) -> None:
    """Each malformed catalogue is refused with one line naming the file, the medicine and the field."""
    with pytest.raises(ChecklistError) as info:
        parse_catalogue_text(text, "clinic.toml")
    assert str(info.value) == message
    assert info.value.file == "clinic.toml"
    assert info.value.exit_code == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (_edit(END, END + "\n" + SAME_ID), f"{WARFARIN}, field 'id': the medicine id is used twice"),
        (
            _edit(END, END + QUESTION + FORM.format("low", "low") + FORM.format("low", "high")),
            "clinic.toml, step 'warfarin:low', field 'id': the form id is used twice",
        ),
    ],
    ids=["medicine-id", "form-id"],
)
def test_duplicate_id_is_refused(text: str, message: str) -> None:
    """Two medicines, or two forms of one medicine, with the same id are refused (as protocols do)."""
    with pytest.raises(ChecklistError) as info:
        parse_catalogue_text(text, "clinic.toml")
    assert str(info.value) == message


# --- Search ----------------------------------------------------------------------------

NSAIDS = [
    "ibuprofen",
    "diclofenac",
    "ketorolac",
    "etodolac",
    "indomethacin",
    "naproxen",
    "meloxicam",
    "nabumetone",
    "oxaprozin",
    "piroxicam",
]


def test_search_by_class() -> None:
    """search("nsaid") finds exactly the NSAIDs, in catalogue order (celecoxib is a COX-2 inhibitor)."""
    assert [entry.id for entry in load_catalogue().search("nsaid")] == NSAIDS


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Ozempic", ["semaglutide"]),
        ("acetylsalicylic", ["aspirin"]),
        (
            "gliflozin",
            [
                "canagliflozin",
                "dapagliflozin",
                "empagliflozin",
                "ertugliflozin",
                "bexagliflozin",
                "sotagliflozin",
            ],
        ),
        ("zzz", []),
    ],
    ids=["form-brand", "alias", "part-of-generic", "nothing"],
)
def test_search_by_part_of_a_name(query: str, expected: list[str]) -> None:
    """search() matches part of a generic name, brand (form brands too) or alias; nothing gives []."""
    assert [entry.id for entry in load_catalogue().search(query)] == expected


@pytest.mark.parametrize("query", ["", "  ", "-"], ids=["empty", "spaces", "punctuation"])
def test_empty_search_lists_everything(query: str) -> None:
    """An empty query lists every entry, in catalogue order."""
    catalogue = load_catalogue()
    assert catalogue.search(query) == list(catalogue.entries)
    assert len(catalogue.entries) > 50


def test_the_shipped_catalogue_is_checked_whole() -> None:
    """Plans read entries as needed, so every entry of the shipped file is read and checked here."""
    whole = parse_catalogue_text(builtin_text(FILE), FILE)
    assert [entry.id for entry in whole.entries] == [entry.id for entry in ENTRIES]
    assert whole.entries == ENTRIES


def test_an_entry_is_read_when_first_asked_for() -> None:
    """Looking up one name reads that entry only; a bad entry elsewhere does not stop it."""
    data = tomllib.loads(builtin_text(FILE))
    data["medicines"][-1]["action"] = "explode"  # the last entry is broken
    reader = _CatalogueReader(FILE)
    catalogue = reader.read(data)
    found = catalogue.find("warfarin")
    assert found is not None
    assert found.entry == next(entry for entry in ENTRIES if entry.id == "warfarin")
    with pytest.raises(ChecklistError) as caught:
        catalogue.entries  # noqa: B018
    assert "must be one of" in str(caught.value)
