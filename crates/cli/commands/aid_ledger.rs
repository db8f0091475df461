//! The aid ledger: contributions, disbursements and adjustments in one
//! list that is never edited, and the totals drawn from it.

use anyhow::{anyhow, Result};
use clap::Subcommand;
use holdfast_core::model::{AidCategory, AidRequest, LedgerKind};
use holdfast_store::use_cases::aid::NewLedgerEntry;
use holdfast_store::Campaign;

use super::Context;
use crate::money::{format_money, parse_cents};
use crate::output::{when, Table};

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Record money or goods coming in (coordinators).
    Contribute {
        #[arg(long)]
        category: AidCategory,
        #[arg(long, value_parser = parse_cents)]
        amount: i64,
        /// Who gave; the ledger shows only a pseudonym.
        #[arg(long)]
        from: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Pay out from a pool, usually against a request (coordinators).
    Disburse {
        /// The pool (the request's category if left out).
        #[arg(long)]
        category: Option<AidCategory>,
        #[arg(long, value_parser = parse_cents)]
        amount: i64,
        /// The request this pays.
        #[arg(long)]
        request: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, value_name = "TIME")]
        at: Option<String>,
    },
    /// Correct the ledger by an agreed amount, plus or minus (coordinators).
    Adjust {
        #[arg(long)]
        category: AidCategory,
        /// e.g. -10.00 to take ten off.
        #[arg(long, value_parser = parse_cents, allow_negative_numbers = true)]
        amount: i64,
        /// Why: adjustments must be explained.
        #[arg(long)]
        note: String,
    },
    /// Money in and out by month and category: what every member may see.
    Totals,
    /// What each pool holds now.
    Balances,
    /// Every ledger entry, with pseudonyms only.
    Ledger,
}

pub fn run(context: &Context, campaign: &mut Campaign, command: LedgerCommand) -> Result<()> {
    let output = &context.output;
    let currency = campaign.settings()?.currency;
    match command {
        LedgerCommand::Contribute {
            category,
            amount,
            from,
            note,
            at,
        } => record(
            context,
            campaign,
            NewLedgerEntry {
                kind: LedgerKind::Contribution,
                category,
                amount_cents: amount,
                request_id: None,
                party: from,
                note,
                at,
            },
        ),
        LedgerCommand::Disburse {
            category,
            amount,
            request,
            note,
            at,
        } => {
            let category = match (category, &request) {
                (Some(category), _) => category,
                (None, Some(request)) => campaign
                    .find::<AidRequest>(request)?
                    .map(|request| request.category)
                    .ok_or_else(|| anyhow!("no aid request with id `{request}`"))?,
                (None, None) => {
                    return Err(anyhow!("say which pool pays: --category or --request"))
                }
            };
            let entry = NewLedgerEntry {
                kind: LedgerKind::Disbursement,
                category,
                amount_cents: amount,
                request_id: request,
                party: None,
                note,
                at,
            };
            record(context, campaign, entry)
        }
        LedgerCommand::Adjust {
            category,
            amount,
            note,
        } => {
            let entry = NewLedgerEntry {
                kind: LedgerKind::Adjustment,
                category,
                amount_cents: amount,
                request_id: None,
                party: None,
                note,
                at: None,
            };
            record(context, campaign, entry)
        }
        LedgerCommand::Totals => {
            let totals = campaign.aid_totals()?;
            output.show(&totals, || {
                let mut table = Table::new(&["Month", "Category", "In", "Out", "Payouts"]);
                for total in &totals {
                    table.row(vec![
                        total.month.clone(),
                        total.category.to_string(),
                        format_money(total.contributed_cents, &currency),
                        format_money(total.disbursed_cents, &currency),
                        total.disbursements.to_string(),
                    ]);
                }
                table.render_or("Nothing has gone in or out of the aid fund yet.")
            })
        }
        LedgerCommand::Balances => {
            let balances = campaign.aid_balances()?;
            output.show(&balances, || {
                let mut table = Table::new(&["Pool", "Holds"]);
                for (category, cents) in &balances {
                    table.row(vec![category.to_string(), format_money(*cents, &currency)]);
                }
                table.render_or("Every pool is empty.")
            })
        }
        LedgerCommand::Ledger => {
            let ledger = campaign.ledger()?;
            output.show(&ledger, || {
                let mut table = Table::new(&["When", "Entry", "Pool", "Amount", "Party", "Note"]);
                for entry in &ledger {
                    table.row(vec![
                        when(&entry.at),
                        entry.kind.to_string(),
                        entry.category.to_string(),
                        format_money(entry.signed_amount(), &currency),
                        entry.party_pseudonym.clone(),
                        entry.note.clone(),
                    ]);
                }
                table.render_or("The ledger is empty.")
            })
        }
    }
}

fn record(context: &Context, campaign: &mut Campaign, entry: NewLedgerEntry) -> Result<()> {
    let currency = campaign.settings()?.currency;
    let coordinator = context.actor(campaign)?;
    let entry = campaign.record_ledger_entry(entry, &coordinator)?;
    let balance = campaign
        .aid_balances()?
        .get(&entry.category)
        .copied()
        .unwrap_or(0);
    context.output.show(&entry, || {
        format!(
            "Recorded a {} of {} in the {} pool, which now holds {}.",
            entry.kind,
            format_money(entry.amount_cents, &currency),
            entry.category,
            format_money(balance, &currency)
        )
    })
}
