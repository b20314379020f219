//! What the name of an environment variable or configuration key says about
//! its value: a password, some other secret, a weak hint, or nothing.
//!
//! Names are split into words (`DB_PASSWORD`, `apiKey`, `client-secret`,
//! `spring.datasource.password`) and judged word by word, because substring
//! matching is what makes peers noisy: `TOKENIZER_PATH` and `MAX_TOTAL_TOKENS`
//! contain "token" but name no token. A name that also carries a word saying
//! the value is *about* the secret rather than the secret (`PASSWORD_FILE`,
//! `TOKEN_TTL`, `ALLOYDB_SECRET_NAME`, `MYSQL_ALLOW_EMPTY_PASSWORD`) gives no hint.

/// What a key name suggests about its value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Hint {
    /// Nothing: only provider patterns can flag the value.
    None,
    /// `auth`, `*_KEY`, `salt`, ...: flagged only when the value is a
    /// high-entropy token.
    Weak,
    /// `token`, `secret`, `api_key`, `credentials`, ...: any literal value.
    Secret,
    /// `password`, `passwd`, `pwd`, ...: any literal value.
    Password,
}

/// Words that name a password, alone or as the end of a word (`dbpassword`).
const PASSWORD_WORDS: &[&str] = &["password", "passwd", "passphrase", "pwd"];

/// Words that name a secret, alone or as the end of a word (`authtoken`).
const SECRET_WORDS: &[&str] = &[
    "secret",
    "token",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "accesskey",
    "secretkey",
    "privatekey",
    "signingkey",
    "encryptionkey",
    "masterkey",
    "sessionkey",
    "bearer",
    "jwt",
];

/// Words that, before `key`, make a secret: `API_KEY`, `access-key`, `privateKey`.
const SECRET_KEY_QUALIFIERS: &[&str] = &[
    "api",
    "access",
    "secret",
    "private",
    "signing",
    "encryption",
    "master",
    "session",
];

/// Words that hint at a secret without saying so.
const WEAK_WORDS: &[&str] = &["auth", "authorization", "key", "salt", "hmac", "cookie"];

/// Words saying the value is about a secret, not the secret: where it is, how
/// it is named, how long it lives, whether it is on.
#[rustfmt::skip]
const ABOUT_WORDS: &[&str] = &[
    // where it is
    "file", "files", "path", "paths", "dir", "directory", "mount", "location",
    "url", "uri", "endpoint", "host", "hostname", "port", "server", "store",
    // how it is named or referenced
    "name", "names", "ref", "reference", "id", "ids", "version", "namespace",
    "env", "var", "field", "header", "prefix", "suffix", "source", "provider",
    "issuer", "audience", "scope", "scopes", "template", "pattern", "regex",
    // what kind it is
    "type", "kind", "mode", "method", "format", "algorithm", "alg", "policy",
    "strategy", "backend", "plugin",
    // how long it lives, how big it is
    "ttl", "expiry", "expires", "expiration", "expire", "timeout", "lifetime",
    "duration", "interval", "period", "age", "rotation", "max", "min",
    "length", "len", "size", "count", "limit", "tokens", "budget",
    // whether it is on
    "enable", "enabled", "disable", "disabled", "allow", "allowed", "empty",
    "random", "generate", "generated", "require", "required", "use", "skip",
    "check", "verify", "validate", "validation", "hint", "reset", "hash",
];

/// The hint a key name gives.
pub(crate) fn hint(name: &str) -> Hint {
    let words = words(name);
    if words.iter().any(|w| ABOUT_WORDS.contains(&w.as_str())) {
        return Hint::None;
    }
    let ends_with_any = |word: &str, stems: &[&str]| stems.iter().any(|s| word.ends_with(s));
    if words
        .iter()
        .any(|w| ends_with_any(w, PASSWORD_WORDS) || w == "pass")
    {
        return Hint::Password;
    }
    let qualified_key = words
        .windows(2)
        .any(|pair| pair[1] == "key" && SECRET_KEY_QUALIFIERS.contains(&pair[0].as_str()));
    if qualified_key || words.iter().any(|w| ends_with_any(w, SECRET_WORDS)) {
        return Hint::Secret;
    }
    if words.iter().any(|w| ends_with_any(w, WEAK_WORDS)) {
        return Hint::Weak;
    }
    Hint::None
}

/// True when the name is about AWS's secret access key (`AWS_SECRET_ACCESS_KEY`,
/// `aws_secret_key`, `secretAccessKey`), whose values have a fixed shape.
pub(crate) fn names_aws_secret_key(name: &str) -> bool {
    let joined: String = words(name).concat();
    joined.contains("secretaccesskey") || (joined.contains("aws") && joined.contains("secret"))
}

/// Lower-case words of a name: split at anything not alphanumeric and at
/// camel-case boundaries (`apiKey` → api, key; `APIKey` → api, key).
pub(crate) fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let previous = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && previous.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("DB_PASSWORD"), ["db", "password"]);
        assert_eq!(words("apiKey"), ["api", "key"]);
        assert_eq!(words("APIKey"), ["api", "key"]);
        assert_eq!(
            words("spring.datasource.password"),
            ["spring", "datasource", "password"]
        );
        assert_eq!(
            words("oauth2-client_secret"),
            ["oauth2", "client", "secret"]
        );
    }

    #[test]
    fn secrets_by_name() {
        for name in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "dbpassword",
            "REDIS_PASS",
            "admin-pwd",
            "passwd",
        ] {
            assert_eq!(hint(name), Hint::Password, "{name}");
        }
        for name in [
            "GITHUB_TOKEN",
            "apiKey",
            "API_KEY",
            "MINIO_SECRET_KEY",
            "MINIO_ACCESS_KEY",
            "client_secret",
            "authToken",
            "JWT",
            "private-key",
            "BEARER",
            "CREDENTIALS",
        ] {
            assert_eq!(hint(name), Hint::Secret, "{name}");
        }
        for name in ["AUTH", "ENCRYPTION", "SIGNING_SALT", "KEY"] {
            assert!(hint(name) <= Hint::Weak, "{name}");
        }
        assert_eq!(hint("KEY"), Hint::Weak);
    }

    #[test]
    fn names_about_secrets_are_not_secrets() {
        for name in [
            "PASSWORD_FILE",
            "TOKEN_TTL",
            "ALLOYDB_SECRET_NAME",
            "METALLB_ML_SECRET_KEY_PATH",
            "MYSQL_ALLOW_EMPTY_PASSWORD",
            "MAX_TOTAL_TOKENS",
            "SECRET_VERSION",
            "SECRET_ID",
            "TOKENIZER_PATH",
            "TOKEN_URL",
            "AWS_ACCESS_KEY_ID",
            "AUTH_MODE",
            "PASSWORD_MIN_LENGTH",
            "TOKENIZER",
            "LOG_LEVEL",
            "PASSENGER",
        ] {
            assert_eq!(hint(name), Hint::None, "{name}");
        }
    }

    #[test]
    fn aws_secret_key_names() {
        assert!(names_aws_secret_key("AWS_SECRET_ACCESS_KEY"));
        assert!(names_aws_secret_key("secretAccessKey"));
        assert!(names_aws_secret_key("aws_secret_key"));
        assert!(!names_aws_secret_key("GITHUB_TOKEN"));
    }
}
