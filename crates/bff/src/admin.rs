//! `gatehouse user ...` and `gatehouse journal verify`: offline administration of the data dir.

use std::io::{BufRead, IsTerminal};

use anyhow::bail;

use crate::config::{
    JournalAction, JournalArgs, MigrateArgs, TokenAction, TokenArgs, UserAction, UserArgs,
};
use crate::{accounts, journal::Journal};

/// Runs a `user` subcommand.
pub async fn user(args: UserArgs) -> anyhow::Result<()> {
    let pool = args.data.open().await?;
    match args.action {
        UserAction::Add { name, role } => {
            let password = read_password(&format!("Password for {name}: "))?;
            accounts::add(&pool, &name, &password, role).await?;
            println!("Added {name} ({}).", role.as_str());
        }
        UserAction::List => {
            for (name, role) in accounts::list(&pool).await? {
                println!("{name}\t{}", role.as_str());
            }
        }
        UserAction::Remove { name } => {
            accounts::remove(&pool, &name).await?;
            println!("Removed {name}. Their open sessions end with their next request.");
        }
        UserAction::Passwd { name } => {
            let password = read_password(&format!("New password for {name}: "))?;
            accounts::set_password(&pool, &name, &password).await?;
            println!(
                "Changed the password of {name}. Their open sessions end with their next request."
            );
        }
    }
    Ok(())
}

/// Runs a `token` subcommand. `create` prints the token alone on stdout, so that a script can
/// take it (`TOKEN=$(gatehouse token create …)`); everything else goes to stderr.
pub async fn token(args: TokenArgs) -> anyhow::Result<()> {
    use crate::tokens::{CreateError, NewToken, Source, Tokens};
    let db = args.data.open().await?;
    let tokens = Tokens::new(db.clone(), crate::session::Clock::default(), 0);
    match args.action {
        TokenAction::Create {
            user,
            name,
            access,
            expires,
            allow_from,
        } => {
            let Some(role) = accounts::role_of(&db, &user).await? else {
                bail!("no account '{user}' (gatehouse user list shows them)");
            };
            let new = NewToken {
                username: user.clone(),
                source: Source::Account,
                role,
                name,
                access,
                lifetime: expires,
                allowed_from: allow_from.into_iter().map(|net| net.trunc()).collect(),
            };
            let (token, value) = tokens.create(&new).await.map_err(|e| match e {
                CreateError::Invalid(error) => anyhow::anyhow!("{}", error.message),
                CreateError::Store(error) => error,
            })?;
            println!("{value}");
            eprintln!(
                "Made token {} ({}, {}) for {user}, expiring {}. It is shown only this once.",
                token.id,
                token.name,
                token.access.as_str(),
                crate::journal::format_time(token.expires_at)
            );
        }
        TokenAction::List => {
            for t in tokens.list(None).await? {
                println!(
                    "{}\t{}\t{}\t{}\t{}\texpires {}\t{} calls",
                    t.id,
                    t.username,
                    t.name,
                    t.access.as_str(),
                    t.status,
                    crate::journal::format_time(t.expires_at),
                    t.calls
                );
            }
        }
        TokenAction::Revoke { id } => {
            if tokens.revoke(&id, "gatehouse token revoke").await? {
                println!("Revoked {id}: every replica refuses it from its next request.");
            } else if tokens.find(&id).await?.is_some() {
                println!("{id} was already revoked.");
            } else {
                bail!("no token '{id}' (gatehouse token list shows them)");
            }
        }
    }
    Ok(())
}

/// Runs a `journal` subcommand; an error means the chain is broken.
pub async fn journal(args: JournalArgs) -> anyhow::Result<()> {
    let pool = args.data.open().await?;
    match args.action {
        JournalAction::Verify => match Journal::new(pool).verify().await? {
            Ok(rows) => println!("journal intact: {rows} rows, hash chain verified"),
            Err(broken) => bail!("journal tampered with: {broken}"),
        },
    }
    Ok(())
}

/// Runs `gatehouse migrate`: copies everything into an empty database (see `transfer`).
pub async fn migrate(args: MigrateArgs) -> anyhow::Result<()> {
    let from = crate::db::Db::connect(&args.from).await?;
    let to = crate::db::Db::connect(&args.to).await?;
    let copied = crate::transfer::copy(&from, &to).await?;
    println!(
        "Copied {} accounts, {} journal rows (hash chain verified on the target), {} archived \
         events, {} attributions and {} tokens to {}. Sessions are not copied: people sign in \
         again.",
        copied.accounts,
        copied.journal_rows,
        copied.events,
        copied.attributions,
        copied.tokens,
        crate::db::redacted(&args.to)
    );
    Ok(())
}

/// A password from a no-echo prompt on a terminal, or the first line of stdin otherwise (for
/// scripts: `printf '%s\n' "$PW" | gatehouse user add ...`). Never from an argument.
fn read_password(prompt: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(prompt)?;
        let again = rpassword::prompt_password("Again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given");
    }
    Ok(password)
}
