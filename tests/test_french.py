"""French dates and figures through Babel (fr_FR), as the report, the cards, the offer descriptions
and the employer's page show them."""

from __future__ import annotations

import datetime as dt

from mlprod.french import fr_date, fr_hours, fr_int, fr_month, fr_percent, fr_range, numeric_date
from mlprod.intake.offer_form import check_offer
from mlprod.intake.pages import french_date as page_date
from mlprod.intake.storage import human_size
from mlprod.youtube.metadata import expired_notice

NNBSP = "\u202f"  # CLDR's thousands separator for French, also before "h"
NBSP = "\u00a0"  # CLDR's space before "%"


def test_dates() -> None:
    assert fr_date(dt.date(2020, 3, 16)) == "16 mars 2020"
    assert fr_date(dt.date(2020, 4, 1)) == "1er avril 2020"
    assert fr_date(dt.date(2020, 8, 15)) == "15 août 2020"
    assert fr_month(dt.date(2020, 7, 1)) == "juil. 2020"
    assert fr_month(dt.date(2020, 2, 1)) == "févr. 2020"
    assert numeric_date(dt.date(2020, 3, 6)) == "06/03/2020"


def test_ranges_share_their_month_and_year() -> None:
    assert fr_range(dt.date(2020, 3, 16), dt.date(2020, 3, 16)) == "16 mars 2020"
    assert fr_range(dt.date(2020, 3, 16), dt.date(2020, 3, 22)) == "16–22 mars 2020"
    assert fr_range(dt.date(2020, 4, 1), dt.date(2020, 4, 5)) == "1er–5 avril 2020"
    assert fr_range(dt.date(2020, 3, 30), dt.date(2020, 4, 5)) == "30 mars – 5 avril 2020"
    assert fr_range(dt.date(2020, 12, 28), dt.date(2021, 1, 3)) == "28 décembre 2020 – 3 janvier 2021"


def test_numbers() -> None:
    assert fr_int(2300) == f"2{NNBSP}300"
    assert fr_int(1234567, signed=True) == f"+1{NNBSP}234{NNBSP}567"
    assert fr_int(0, signed=True) == "0"
    assert fr_int(-45) == "\u221245"
    assert fr_percent(283.333) == f"+283,3{NBSP}%"
    assert fr_percent(-12.25) == f"\u221212,2{NBSP}%"
    assert fr_percent(-0.01) == f"0,0{NBSP}%"  # never "−0,0"
    assert fr_percent(5.5, signed=False) == f"5,5{NBSP}%"
    assert fr_hours(750) == f"12,5{NNBSP}h"
    assert fr_hours(74_040) == f"1{NNBSP}234{NNBSP}h"


def test_the_offer_description_and_the_employer_page() -> None:
    notice = expired_notice(dt.date(2026, 10, 1))
    assert notice == "Cette offre est pourvue ou close depuis le 1er octobre 2026."
    assert page_date(dt.datetime(2026, 3, 6, 9, 5, tzinfo=dt.UTC), with_time=True) == "06/03/2026 à 10 h 05"
    assert page_date(dt.datetime(2026, 7, 31, 23, 30, tzinfo=dt.UTC)) == "01/08/2026"  # in France
    assert page_date("2026-09-01") == "01/09/2026"
    assert page_date(None) == ""
    assert [human_size(n) for n in (2 * 1024**3, 1536 * 1024**2, 500 * 1024**2, 12 * 1024, 900)] == \
        ["2 Go", "1,5 Go", "500 Mo", "12 ko", "900 octets"]


def test_the_employer_form_names_the_start_date() -> None:
    fields = {"position": "Vendeur", "contract": "CDD", "location": "Salon-de-Provence",
              "start": "2026-09-01", "closes": "2026-08-15"}
    _, problems = check_offer(fields, "Mission Locale", "Boulangerie du Cours", today=dt.date(2026, 7, 1))
    assert problems["closes"].endswith("après la date de début du poste (01/09/2026).")
