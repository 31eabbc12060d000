"""Country words Babel does not have: demonyms, Kreyòl names, abbreviations, spellings.

Spanish and Portuguese demonyms are listed in the masculine; :func:`gendered` adds the
feminine and plural forms people use ("colombiana", "somos venezolanos"). Kreyòl words
are written without accents (ayisyen and ayisyèn fold to the same word). Each value is a
comma-separated list of aliases for one ISO 3166 alpha-2 code.
"""

from __future__ import annotations

__all__ = ["DEMONYMS", "NAMES", "gendered"]

DEMONYMS: dict[str, dict[str, str]] = {
    "es": {
        "CO": "colombiano", "VE": "venezolano, benezolano", "CU": "cubano",
        "HT": "haitiano, aitiano", "MX": "mexicano, mejicano", "GT": "guatemalteco",
        "HN": "hondureno", "SV": "salvadoreno", "NI": "nicaraguense",
        "CR": "costarricense, tico", "PA": "panameno", "EC": "ecuatoriano", "PE": "peruano",
        "BO": "boliviano", "CL": "chileno", "AR": "argentino",
        "BR": "brasileno, brasilero", "DO": "dominicano",
        "US": "estadounidense, americano, norteamericano", "CA": "canadiense",
        "UY": "uruguayo", "PY": "paraguayo", "JM": "jamaiquino, jamaicano", "BZ": "beliceno",
        "RU": "ruso", "CN": "chino", "TR": "turco", "AF": "afgano", "UZ": "uzbeko",
        "KZ": "kazajo", "GE": "georgiano", "UA": "ucraniano", "SN": "senegales",
        "GH": "ghanes, ganes", "CM": "camerunes", "CD": "congoleno", "AO": "angoleno",
        "NG": "nigeriano", "MR": "mauritano", "ER": "eritreo", "ET": "etiope",
        "SO": "somali", "GN": "guineano", "ES": "espanol", "PT": "portugues",
        "FR": "frances", "NP": "nepali, nepales", "BD": "bangladesi", "PK": "pakistani",
        "VN": "vietnamita", "SY": "sirio", "IQ": "iraqui", "IR": "irani", "IT": "italiano",
        "DE": "aleman",
    },
    "pt": {
        "CO": "colombiano", "VE": "venezuelano, venezolano", "CU": "cubano", "HT": "haitiano",
        "MX": "mexicano", "GT": "guatemalteco", "HN": "hondurenho", "SV": "salvadorenho",
        "NI": "nicaraguense", "CR": "costarriquenho", "PA": "panamenho",
        "EC": "equatoriano", "PE": "peruano", "BO": "boliviano", "CL": "chileno",
        "AR": "argentino", "BR": "brasileiro, brasilero", "DO": "dominicano",
        "US": "americano, estadunidense, norteamericano", "CA": "canadense",
        "UY": "uruguaio", "PY": "paraguaio", "AO": "angolano", "RU": "russo", "CN": "chines",
        "IN": "indiano", "TR": "turco", "AF": "afegao", "SN": "senegales",
        "GH": "ganes, ganense", "CM": "camarones", "CD": "congoles", "NG": "nigeriano",
        "PT": "portugues", "ES": "espanhol", "FR": "frances", "MZ": "mocambicano",
        "CV": "caboverdiano, cabo verdiano", "GW": "guineense", "VN": "vietnamita",
        "IT": "italiano",
    },
    "en": {
        "CO": "colombian", "VE": "venezuelan", "CU": "cuban", "HT": "haitian",
        "MX": "mexican", "GT": "guatemalan", "HN": "honduran",
        "SV": "salvadoran, salvadorean", "NI": "nicaraguan", "CR": "costa rican",
        "PA": "panamanian", "EC": "ecuadorian, ecuadorean", "PE": "peruvian",
        "BO": "bolivian", "CL": "chilean", "AR": "argentine, argentinian, argentinean",
        "BR": "brazilian", "DO": "dominican", "US": "american", "CA": "canadian",
        "UY": "uruguayan", "PY": "paraguayan", "JM": "jamaican", "BZ": "belizean",
        "RU": "russian", "CN": "chinese", "IN": "indian", "TR": "turkish, turk",
        "AF": "afghan", "UZ": "uzbek", "KZ": "kazakh", "GE": "georgian", "UA": "ukrainian",
        "SN": "senegalese", "GH": "ghanaian", "CM": "cameroonian", "CD": "congolese",
        "AO": "angolan", "NG": "nigerian", "MR": "mauritanian", "ER": "eritrean",
        "ET": "ethiopian", "SO": "somali", "GN": "guinean", "ES": "spanish",
        "PT": "portuguese", "FR": "french", "NP": "nepali, nepalese", "BD": "bangladeshi",
        "PK": "pakistani", "VN": "vietnamese", "SY": "syrian", "IQ": "iraqi",
        "IR": "iranian", "IT": "italian", "DE": "german",
    },
    "ht": {
        "HT": "ayisyen", "CU": "kiben", "VE": "venezyelyen, venezwelyen, venezuelyen",
        "CO": "kolonbyen, kolombyen", "MX": "meksiken", "GT": "gwatemalteyen",
        "HN": "ondiryen", "SV": "salvadoryen", "NI": "nikaragweyen", "CR": "kostariken",
        "PA": "panameyen", "EC": "ekwatoryen", "PE": "pewouvyen", "BO": "bolivyen",
        "CL": "chilyen", "AR": "ajanten", "BR": "brezilyen", "DO": "dominiken",
        "US": "ameriken", "CA": "kanadyen", "JM": "jamayiken", "BS": "bahameyen",
        "FR": "franse", "CD": "kongole", "SN": "senegale", "GH": "ganeyen",
        "CM": "kamewounyen", "NG": "nijeryen", "AO": "angole", "CN": "chinwa",
    },
}

NAMES: dict[str, dict[str, str]] = {
    "es": {
        "US": "eeuu, ee uu, usa, estados unidos", "DO": "rep dominicana, republica dominicana",
        "CD": "rdc, rd congo", "HT": "haity, aiti", "VE": "benezuela", "MX": "mejico",
        "GB": "inglaterra",
    },
    "pt": {"US": "eua, usa, estados unidos", "DO": "republica dominicana", "HT": "haity"},
    "en": {
        "US": "usa, united states, america, the states", "DO": "dominican republic",
        "GB": "england, uk",
    },
    "ht": {
        "HT": "ayiti, ayti, haiti", "CU": "kiba, kuba",
        "VE": "venezyela, venezwela, venezuela", "CO": "kolonbi, kolombi",
        "MX": "meksik, meksiko", "GT": "gwatemala", "HN": "ondiras",
        "SV": "salvado, el salvado", "NI": "nikaragwa", "CR": "kosta rika", "PA": "panama",
        "EC": "ekwate, ekwado", "PE": "pewou", "BO": "bolivi", "CL": "chili",
        "AR": "ajantin, arjantin", "BR": "brezil, brezi",
        "DO": "dominikani, repiblik dominiken, sendomeng, sen domeng, sendoming",
        "US": "etazini, lezetazini, ozetazini, etazuni, meriken", "CA": "kanada",
        "JM": "jamayik", "BS": "bahamas", "GY": "giyan", "SR": "sirinam",
        "FR": "lafrans, frans", "CD": "kongo", "SN": "senegal", "GH": "gana",
        "CM": "kamewoun", "NG": "nijerya", "AO": "angola", "RU": "larisi", "CN": "lachin",
        "UY": "irigwe", "PY": "paragwe",
    },
}


def gendered(word: str, lang: str) -> list[str]:
    """A demonym with its feminine and plural forms ("peruano" -> peruana, peruanos...)."""
    if lang == "en":
        return [word, word + "s"]
    if lang == "ht":
        return [word, word + "n", word + "ne"]  # ayisyenn, ayisyenne: common spellings
    if word.endswith("ao"):  # afegao -> afega, afegaos
        return [word, word[:-1], word + "s"]
    if word.endswith("o"):
        stem = word[:-1]
        return [word, stem + "a", stem + "os", stem + "as"]
    if word.endswith(("es", "ol", "an")):  # frances, espanol, aleman
        return [word, word + "a", word + "es", word + "as"]
    return [word, word + "s"]  # nicaraguense, canadense, somali, vietnamita
