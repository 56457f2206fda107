//! `iamdrill optimize`: fit personal FSRS parameters to the review log.

use fsrs::{ComputeParametersInput, FSRS, FSRSItem, FSRSReview};
use serde::Serialize;

use super::{Result, Store, StoreError};

/// Long-term reviews (answers on a later day than the card's previous answer) needed before
/// optimizing is worthwhile.
pub const MIN_REVIEWS_FOR_OPTIMIZE: usize = 400;

/// Result of fitting parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum OptimizeOutcome {
    /// Too few reviews: `needed` more long-term reviews are required.
    NotEnoughReviews { have: usize, needed: usize },
    /// Parameters were fitted and evaluated.
    Fitted(OptimizeReport),
}

/// Log loss and RMSE (the crate's evaluation) before and after fitting.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OptimizeReport {
    pub reviews: usize,
    pub log_loss_before: f32,
    pub rmse_before: f32,
    pub log_loss_after: f32,
    pub rmse_after: f32,
    /// Whether the new parameters were kept (only when they predict the log better).
    pub kept: bool,
    pub parameters: Vec<f32>,
}

impl Store {
    /// Training items from the log: per card, every prefix of its rescheduling answers that
    /// ends with a review on a later day (the layout the `fsrs` optimizer expects).
    pub fn fsrs_items(&self) -> Result<(Vec<FSRSItem>, Vec<i64>)> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.id, l.reviewed_at, l.rating
                 FROM review_log AS l JOIN card_ids AS c ON c.n = l.card
                 WHERE l.rescheduled = 1 ORDER BY c.id, l.id",
            )
            .map_err(|e| self.err(e))?;
        let mut rows = stmt.query([]).map_err(|e| self.err(e))?;
        let mut items = Vec::new();
        let mut card_ids = Vec::new();
        let mut current: Option<String> = None;
        let mut history: Vec<FSRSReview> = Vec::new();
        let mut last_day = 0i64;
        let mut card_no = 0i64;
        while let Some(row) = rows.next().map_err(|e| self.err(e))? {
            let card: String = row.get(0).map_err(|e| self.err(e))?;
            let at: i64 = row.get(1).map_err(|e| self.err(e))?;
            let rating: u32 = row.get(2).map_err(|e| self.err(e))?;
            let day = self.clock.day(at);
            if current.as_deref() != Some(card.as_str()) {
                current = Some(card);
                history.clear();
                card_no += 1;
                history.push(FSRSReview { rating, delta_t: 0 });
            } else {
                let delta_t = u32::try_from((day - last_day).max(0)).unwrap_or(u32::MAX);
                history.push(FSRSReview { rating, delta_t });
                if delta_t > 0 {
                    items.push(FSRSItem {
                        reviews: history.clone(),
                    });
                    card_ids.push(card_no);
                }
            }
            last_day = day;
        }
        Ok((items, card_ids))
    }

    /// Fits FSRS parameters to the log, evaluates old and new parameters, and keeps the new
    /// ones when they predict the log better.
    pub fn optimize(&mut self) -> Result<OptimizeOutcome> {
        let (items, card_ids) = self.fsrs_items()?;
        if items.len() < MIN_REVIEWS_FOR_OPTIMIZE {
            return Ok(OptimizeOutcome::NotEnoughReviews {
                have: items.len(),
                needed: MIN_REVIEWS_FOR_OPTIMIZE - items.len(),
            });
        }
        let fsrs_err = |what: &str, err: fsrs::FSRSError| StoreError::Invalid {
            path: self.path.clone(),
            reason: format!("the FSRS optimizer could not {what}: {err:?}"),
        };
        let before = self
            .scheduler
            .fsrs()
            .evaluate(items.clone(), |_| true)
            .map_err(|e| fsrs_err("evaluate the current parameters", e))?;
        let parameters = fsrs::compute_parameters(ComputeParametersInput {
            train_set: items.clone(),
            card_ids: Some(card_ids),
            ..Default::default()
        })
        .map_err(|e| fsrs_err("fit parameters", e))?;
        let after = FSRS::new(&parameters)
            .map_err(|e| fsrs_err("use the fitted parameters", e))?
            .evaluate(items.clone(), |_| true)
            .map_err(|e| fsrs_err("evaluate the fitted parameters", e))?;
        let kept = after.log_loss < before.log_loss;
        if kept {
            self.set_fsrs_parameters(Some(&parameters))?;
        }
        Ok(OptimizeOutcome::Fitted(OptimizeReport {
            reviews: items.len(),
            log_loss_before: before.log_loss,
            rmse_before: before.rmse_bins,
            log_loss_after: after.log_loss,
            rmse_after: after.rmse_bins,
            kept,
            parameters,
        }))
    }
}
