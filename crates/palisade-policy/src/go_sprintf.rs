//! placeholder
use regorus::Engine;
pub fn register(_engine: &mut Engine) -> Result<(), String> {
    Ok(())
}
