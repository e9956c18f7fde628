//! The bank's calendar: dates of the document carry no zone; the bank works in Tashkent
//! time, UTC+05:00 all year (Uzbekistan keeps no daylight saving time).
//!
//! A statement asked "up to today" must use the bank's today, not the UTC date: from
//! 19:00 to 24:00 UTC the bank is already on the next day, and a payment made then is dated
//! that next day.

use time::{Date, OffsetDateTime, UtcOffset};

/// The bank's zone: Tashkent, UTC+05:00, the same all year (no daylight saving time).
///
/// ```
/// assert_eq!(requisite_uz::BANK_OFFSET.whole_hours(), 5);
/// ```
pub const BANK_OFFSET: UtcOffset = time::macros::offset!(+5);

/// The bank's calendar date at the instant `at` (any offset): the date in Tashkent.
///
/// The pure form of [`bank_today`], for tests and for callers with their own clock.
///
/// ```
/// use requisite_uz::bank_date;
/// use time::macros::{date, datetime};
///
/// // 18:59 UTC is 23:59 in Tashkent: still the same day.
/// assert_eq!(bank_date(datetime!(2026-11-29 18:59 UTC)), date!(2026 - 11 - 29));
/// // 19:01 UTC is 00:01 in Tashkent: already the next day.
/// assert_eq!(bank_date(datetime!(2026-11-29 19:01 UTC)), date!(2026 - 11 - 30));
/// ```
pub fn bank_date(at: OffsetDateTime) -> Date {
    at.to_offset(BANK_OFFSET).date()
}

/// Today in the bank's zone (Tashkent), from the system clock: the date to use as the
/// statement's `toDate` for "up to now".
///
/// ```
/// use requisite_uz::{bank_date, bank_today};
/// use time::OffsetDateTime;
///
/// let before = bank_date(OffsetDateTime::now_utc());
/// let today = bank_today();
/// assert!(today >= before && today <= before.next_day().unwrap_or(before));
/// ```
pub fn bank_today() -> Date {
    bank_date(OffsetDateTime::now_utc())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn the_bank_day_turns_at_19_utc() {
        let day = date!(2026 - 11 - 29);
        assert_eq!(bank_date(datetime!(2026-11-29 00:30 UTC)), day);
        assert_eq!(bank_date(datetime!(2026-11-29 18:59:59 UTC)), day);
        assert_eq!(
            bank_date(datetime!(2026-11-29 19:00 UTC)),
            day.next_day().unwrap()
        );
        assert_eq!(
            bank_date(datetime!(2026-11-29 23:59 UTC)),
            day.next_day().unwrap()
        );
        // Any offset in: the instant counts, not the caller's calendar.
        assert_eq!(
            bank_date(datetime!(2026-11-30 02:00 +7)),
            day.next_day().unwrap()
        );
        // New Year's Eve in UTC is already the new year in Tashkent.
        assert_eq!(
            bank_date(datetime!(2026-12-31 20:00 UTC)),
            date!(2027 - 01 - 01)
        );
    }
}
