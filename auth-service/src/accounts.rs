//! Adding and removing users, for the `users` subcommands and the embedded demo user.

use common::phone::PhoneNumber;
use secrecy::{ExposeSecret, SecretString};
use uuid::Uuid;

use crate::password::{MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS, PasswordError, Passwords};
use crate::store::{StoreError, Stores};
use crate::users::{User, Username};

/// Why a user could not be added or removed.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error(transparent)]
    Username(#[from] crate::users::InvalidUsername),
    #[error(transparent)]
    Phone(#[from] common::phone::InvalidPhoneNumber),
    #[error("password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_BYTES} bytes long")]
    Password,
    #[error("user `{0}` already exists")]
    Taken(Username),
    #[error("no user `{0}`")]
    Unknown(Username),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hashing(#[from] PasswordError),
}

/// Checks the fields, hashes the password and stores the user.
///
/// # Errors
/// [`AccountError`] naming the field at fault, or `Taken` when the name is in use.
pub async fn add_user(
    stores: &Stores,
    passwords: &Passwords,
    username: &str,
    phone: &str,
    password: SecretString,
) -> Result<User, AccountError> {
    let username = Username::parse(username)?;
    let phone = PhoneNumber::parse(phone)?;
    let length = password.expose_secret().len();
    if password.expose_secret().chars().count() < MIN_PASSWORD_CHARS || length > MAX_PASSWORD_BYTES
    {
        return Err(AccountError::Password);
    }

    let user = User {
        id: Uuid::new_v4(),
        username: username.clone(),
        phone: phone.as_e164().to_owned(),
        password_hash: passwords.hash(password).await?,
    };
    if !stores.users.insert(&user).await? {
        return Err(AccountError::Taken(username));
    }
    tracing::info!(user_id = %user.id, username = %user.username, phone = %phone, "user added");
    Ok(user)
}

/// Removes a user and revokes every session they have.
///
/// # Errors
/// `Unknown` when there is no such user.
pub async fn remove_user(stores: &Stores, username: &str) -> Result<(User, usize), AccountError> {
    let username = Username::parse(username)?;
    let user = stores
        .users
        .remove(&username)
        .await?
        .ok_or(AccountError::Unknown(username))?;
    let revoked = stores.sessions.revoke_all(user.id).await?;
    tracing::info!(user_id = %user.id, revoked, "user removed");
    Ok((user, revoked))
}
