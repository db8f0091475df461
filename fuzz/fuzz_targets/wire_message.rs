//! Arbitrary bytes decoded as a message from inside the encrypted channel.
//! Decoding must refuse what it cannot read without panicking or allocating
//! more than the bytes could hold, and whatever it accepts must survive being
//! encoded and decoded again unchanged.

#![no_main]

use holdfast_sync::wire::Message;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::decode(data) {
        // The decoder accepts numbers written with more bytes than needed, and
        // a UUID written as text, so the bytes need not come back the same;
        // the message must.
        let again = Message::decode(&message.encode()).expect("an encoded message decodes");
        assert_eq!(again, message, "a message changed on a round trip");
    }
});
