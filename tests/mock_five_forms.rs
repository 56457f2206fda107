//! Five answer forms per card, as a learner would type them with `iamdrill grade --card ID
//! --answer-file F`: an excellent answer in the speaker's own words, a correct but terse one, a
//! partial one, keyword salad and an empty answer, plus an answer that uses the card's words with
//! the meaning reversed. The scores must keep the order an examiner expects,
//! excellent ≥ terse > partial > salad ≥ empty, and the reversed answer must be marked
//! contradicted and score below a blank.
//!
//! A scenario is answered in one text with `Step N:` lines, as in an answer file.

use iamdrill::deck::builtin_decks;
use iamdrill::deck::model::Card;
use iamdrill::mock::grade::{Answer, CardGrade, grade_card};

struct Forms {
    card: &'static str,
    excellent: &'static str,
    terse: &'static str,
    partial: &'static str,
    reversed: &'static str,
    salad: &'static str,
}

const FORMS: &[Forms] = &[
    Forms {
        card: "explicit-deny-wins",
        excellent: "The rule everything else hangs on: when a policy says Deny for the request, \
            the request is refused, full stop. It makes no difference where the Deny lives: an \
            SCP, a bucket policy, an identity policy, a boundary or a session policy all count \
            the same. Having AdministratorAccess attached changes nothing; no allow, however \
            broad, gets past it. And AWS doesn't read the statements top to bottom, so putting \
            the Allow first or last has no effect on the outcome.",
        terse: "An explicit Deny beats every Allow, in any policy, even for admins.",
        partial: "If a statement explicitly denies the action, that deny wins over any allow \
            you have.",
        reversed: "An Allow can override an explicit deny if it is more specific. \
            Administrators are not subject to deny statements, and the statement that comes \
            first in the policy decides the result.",
        salad: "explicit deny allow override admin AdministratorAccess SCP policy order \
            statement wins",
    },
    Forms {
        card: "policy-evaluation-logic",
        excellent: "By default everything is refused: a request with nothing allowing it is \
            implicitly denied. First AWS checks every applicable policy for a Deny that matches; \
            one explicit deny anywhere ends the evaluation and the answer is no. Then the \
            organization's SCPs and RCPs have to allow the action too, otherwise it stays \
            denied. Next something has to actually grant it, an identity-based policy on the \
            caller or a resource-based policy on the target. A permissions boundary, if the \
            principal has one, and a session policy, if one was passed, must also allow it. For \
            a request that crosses accounts, both sides must allow: the caller's account \
            through its IAM policy and the resource owner through its resource policy.",
        terse: "Default deny; an explicit deny anywhere ends it; otherwise SCPs, RCPs, an \
            identity or resource policy, the boundary and the session policy must all allow, \
            and both accounts must allow across accounts.",
        partial: "Everything starts out implicitly denied, and an explicit deny in any policy \
            stops evaluation with a deny.",
        reversed: "Requests are allowed by default unless some policy blocks them. An allow \
            overrides an explicit deny when it is more specific. SCPs don't need to allow \
            anything, boundaries never have to allow, and across accounts only one side needs \
            to allow.",
        salad: "implicit deny explicit deny SCP RCP identity policy resource policy boundary \
            session policy cross-account both allow",
    },
    Forms {
        card: "kms-key-policy-vs-iam",
        excellent: "Every KMS key has exactly one key policy, and it is the primary control: \
            IAM policies only matter for a key if the key policy lets them. The default key \
            policy has a statement for the account principal, arn:aws:iam::111122223333:root, \
            and that statement is what turns on IAM policies for the key; it is not about the \
            root user. Never put Principal \"*\" in there to enable IAM, because that opens the \
            key to anyone. A key policy can grant access all by itself, without any IAM policy \
            for the principal it names. For another account, the key policy must allow that \
            account and the account's IAM policies must allow its principal. Grants hand \
            specific operations to a principal and stay in force until they are retired or \
            revoked.",
        terse: "The key policy is the primary control; its account-root statement enables IAM \
            policies; cross-account needs both the key policy and IAM.",
        partial: "A key policy can grant access on its own, and grants last until you retire or \
            revoke them.",
        reversed: "The key policy is optional; IAM policies alone control a KMS key. To let IAM \
            policies work you add Principal \"*\" to the key policy, which is safe. A key policy \
            can never grant access by itself, and grants expire after 24 hours.",
        salad: "key policy IAM policy kms Principal root account grants cross-account retire \
            revoke primary",
    },
    Forms {
        card: "revoke-role-sessions",
        excellent: "There is no way to cancel them as such; they remain valid until they \
            expire, so instead you deny them. For a role, the Revoke active sessions action \
            attaches an inline policy that denies every action when aws:TokenIssueTime is older \
            than the moment you revoked. Sessions started after that are not affected, so the \
            real workload just assumes the role again. When an IAM user created the credentials \
            with GetSessionToken, put a similar deny on the user or take its permissions away.",
        terse: "Not directly; you deny sessions issued before now with an aws:TokenIssueTime \
            condition (Revoke active sessions), and new sessions still work.",
        partial: "For an IAM user's session tokens, attach a deny policy to the user.",
        reversed: "Yes, STS lets you delete the temporary credentials and they stop working at \
            once. Revoke active sessions removes the tokens and no deny policy is involved; new \
            sessions of the role stop working too.",
        salad: "revoke temporary credentials TokenIssueTime AWSRevokeOlderSessions deny session \
            role user expire",
    },
    Forms {
        card: "leaked-access-key",
        excellent: "Step 1: Make the key inactive right away, but keep it for the investigation, \
            and assume it is compromised even after the commit is gone, because public pushes \
            get scraped within minutes.
Step 2: Not necessarily. Session credentials already minted with it, from GetSessionToken or \
            roles it assumed, remain valid until they expire. I attach a deny to the user for \
            tokens issued before now with aws:TokenIssueTime and use Revoke active sessions on \
            the roles it reached.
Step 3: Keep the quarantine policy attached and follow the support case. The \
            AWS_RISK_CREDENTIALS_EXPOSED Health event can go through an EventBridge rule to \
            automation that pages the on-call.
Step 4: Put an SCP deny on the user's and roles' aws:PrincipalArn from the organization; the \
            member account cannot detach an SCP, so an admin inside cannot undo it.
Step 5: The blast radius is the user's attached and inline policies, its group policies and \
            every role it can assume. Last accessed information helps but lags by hours.
Step 6: Search CloudTrail in every Region for the key ID and its session key IDs, copy the \
            logs to a locked evidence bucket, and query them with Athena or Detective.
Step 7: I look for StopLogging or DeleteTrail calls, a deleted GuardDuty detector and a \
            stopped AWS Config recorder.
Step 8: S3 data events or server access logs show GetObject volume if they were on; I check \
            for snapshot or AMI shares to outside accounts, and Macie tells me what the data was.
Step 9: New IAM users, access keys and login profiles, plus changed trust policies and new \
            identity providers.
Step 10: Resource policies that let an outside account in, snapshot, AMI and RAM shares; IAM \
            Access Analyzer external access findings list them.
Step 11: No, the git history, forks and clones still hold the key. Rewrite history with git \
            filter-repo, but only rotating the key makes it worthless.
Step 12: Create the replacement credential first, better a role for the workload, then delete \
            the old key.
Step 13: A blameless review with a timeline and the root cause, and action items with owners.
Step 14: Roles and federation instead of long-term keys everywhere, secrets in Secrets \
            Manager, and secret scanning with push protection.
",
        terse: "Step 1: Deactivate the key now; treat it as compromised.
Step 2: No, existing sessions stay valid until they expire; deny tokens issued before now.
Step 3: Leave the quarantine policy on.
Step 4: SCP deny on the principal ARN.
Step 5: Its policies and the roles it can assume.
Step 6: CloudTrail in every Region, preserve the logs.
Step 7: StopLogging or DeleteTrail.
Step 8: S3 data events, snapshot shares, Macie.
Step 9: New IAM users and access keys.
Step 10: Resource policies granting outside accounts.
Step 11: No, the git history still has it; only rotation fixes it.
Step 12: New credential first, then delete the old key.
Step 13: Timeline, root cause, action items.
Step 14: Use roles; turn on secret scanning.
",
        partial: "Step 1: Deactivate the exposed key immediately.
Step 6: Search CloudTrail in every Region for what the key did.
Step 11: The git history and forks still hold the key.
",
        reversed: "Step 1: Delete the commit; once it is gone the key is safe and can stay \
            active.
Step 2: Yes, deactivating the key ends every session it created at once; no deny is needed.
Step 3: Detach the quarantine policy straight away so the user works again.
Step 4: An SCP cannot deny a single principal, so rely on the IAM deny in the account.
Step 11: Yes, deleting the commit removes the key everywhere, so rotation is unnecessary.
Step 12: Delete the old key first and only then create a replacement.
",
        salad: "deactivate key compromised CloudTrail Region SCP PrincipalArn quarantine \
            TokenIssueTime revoke sessions Athena Detective Macie snapshot RAM Access Analyzer \
            filter-repo rotation roles secret scanning",
    },
];

fn card(id: &str) -> Card {
    builtin_decks()
        .into_iter()
        .flat_map(|d| d.cards)
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("no built-in card {id}"))
}

fn grade(card: &Card, text: &str) -> CardGrade {
    grade_card(card, &Answer::Text(text.to_string())).unwrap_or_else(|e| panic!("{}: {e}", card.id))
}

#[test]
fn five_answer_forms_keep_the_examiner_s_order() {
    let mut failures = Vec::new();
    for f in FORMS {
        let card = card(f.card);
        let s = |text: &str| grade(&card, text).score();
        let (excellent, terse, partial, salad, empty) =
            (s(f.excellent), s(f.terse), s(f.partial), s(f.salad), s(""));
        let reversed = grade(&card, f.reversed);
        println!(
            "{}: excellent {excellent:.2}, terse {terse:.2}, partial {partial:.2}, salad \
             {salad:.2}, empty {empty:.2}, reversed {:.2} ({} contradicted)",
            f.card,
            reversed.score(),
            reversed.contradicted()
        );
        let ordered = excellent >= terse && terse > partial && partial > salad && salad >= empty;
        if !ordered {
            failures.push(format!("{}: the five forms are out of order", f.card));
        }
        if reversed.contradicted() == 0 || reversed.score() >= empty {
            failures.push(format!(
                "{}: the reversed answer is not marked contradicted below a blank",
                f.card
            ));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
