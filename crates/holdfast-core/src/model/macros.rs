//! Small macros that keep the record files free of repeated impls.

/// Implements [`crate::Record`] for a struct with an `id: String` field.
macro_rules! record {
    ($type:ty, $collection:literal) => {
        impl $crate::record::Record for $type {
            const COLLECTION: &'static str = $collection;
            fn id(&self) -> &str {
                &self.id
            }
        }
    };
}

/// An enum stored as a short lower-case word, in documents, JSON and on the
/// command line alike, so that other Automerge readers see plain text.
macro_rules! word_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$variant_meta:meta])* $variant:ident => $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$variant_meta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::CoreError;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($word => Ok($name::$variant),)+
                    _ => Err($crate::CoreError::invalid(
                        stringify!($name),
                        format!(
                            "`{}` is not one of: {}",
                            text,
                            [$($word),+].join(", ")
                        ),
                    )),
                }
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str(self.as_str())
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(text: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                text.parse().map_err(|_| {
                    autosurgeon::HydrateError::unexpected(stringify!($name), text.to_string())
                })
            }
        }
    };
}

pub(crate) use record;
pub(crate) use word_enum;
