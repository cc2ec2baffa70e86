"""Fixed lists the demo and scale data draw from: names, specializations, languages, zones."""

from __future__ import annotations

FIRST_NAMES = [
    "Amara", "Ben", "Chloé", "Daniel", "Elena", "Farid", "Greta", "Hugo", "Ines", "Jonas",
    "Keiko", "Liam", "Maya", "Noah", "Olivia", "Pavel", "Quinn", "Rosa", "Samir", "Tessa",
    "Umar", "Valentina", "Wen", "Ximena", "Yusuf", "Zoë", "Aiko", "Bruno", "Carmen", "Dmitri",
    "Esther", "Felix", "Hannah", "Isaac", "Julia", "Kofi", "Lena", "Mateo", "Nadia", "Oscar",
]  # fmt: skip
LAST_NAMES = [
    "Adeyemi", "Becker", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Hansen", "Ito",
    "Jensen", "Kowalski", "Larsen", "Müller", "Novak", "O'Brien", "Petrov", "Rossi", "Schmidt",
    "Tanaka", "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zimmermann", "Andersson", "Bianchi",
    "Costa", "Dijkstra", "Evans", "Fontaine", "Gruber", "Horvat", "Ivanova", "Kaur", "Lindqvist",
]  # fmt: skip

# (slug, name): the fixed set of Specialization rows.
SPECIALIZATIONS = [
    ("career", "Career"),
    ("leadership", "Leadership"),
    ("executive", "Executive"),
    ("life-transitions", "Life transitions"),
    ("relationships", "Relationships"),
    ("health-wellness", "Health & wellness"),
    ("confidence", "Confidence"),
    ("stress", "Stress & resilience"),
    ("productivity", "Productivity"),
    ("parenting", "Parenting"),
    ("financial", "Financial"),
    ("mindfulness", "Mindfulness"),
]

LANGUAGES = ["en", "de", "fr", "es", "it", "nl", "pt", "pl", "ja", "sv"]

# (time zone, currency): coaches charge in the currency of where they work.
ZONES = [
    ("Europe/Berlin", "EUR"),
    ("Europe/Paris", "EUR"),
    ("Europe/Madrid", "EUR"),
    ("Europe/Amsterdam", "EUR"),
    ("Europe/London", "GBP"),
    ("America/New_York", "USD"),
    ("America/Chicago", "USD"),
    ("America/Los_Angeles", "USD"),
    ("Asia/Tokyo", "USD"),
    ("Australia/Sydney", "USD"),
]

CURRENCIES = ["EUR", "USD", "GBP"]

HEADLINES = [
    "Helping professionals find work that fits",
    "Leadership coaching for new managers",
    "Navigate change with clarity and calm",
    "Build confidence that lasts",
    "From burnout to balance",
    "Coaching for founders and small teams",
    "Practical coaching for busy parents",
    "Find focus, finish what matters",
]

BIO_SENTENCES = [
    "I am an iPEC-certified coach working with clients across time zones.",
    "My sessions combine the Energy Leadership Index with practical weekly goals.",
    "Before coaching I spent ten years in corporate HR and talent development.",
    "I help clients notice the stories that keep them stuck and choose new ones.",
    "Clients describe our work as warm, direct and focused on action.",
    "I work with individuals and small leadership teams, online only.",
    "Every engagement starts with a free discovery call to see if we fit.",
    "I specialise in transitions: new roles, new countries, new chapters.",
]
