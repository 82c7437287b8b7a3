#!/usr/bin/env python3
"""Writes personas.jsonl: the project's own default persona set (Persona Hub layout, {"persona": ...}).

Hand-written personas plus personas composed from hand-written parts (occupation, place, life stage,
experience, hobby), drawn with a fixed seed so the file is reproducible. No two personas share more
than half of their words (word-set Jaccard < 0.5), so the default dedupe (word 1-grams, 0.9) keeps all.
Run: python3 Fixtures/persona/make_personas.py > Fixtures/persona/personas.jsonl
"""
import json
import random
import re

HAND_WRITTEN = [
    "A retired lighthouse keeper on the coast of Maine who now carves wooden birds and keeps a tide diary.",
    "A 34-year-old emergency room nurse in Manila who runs ultramarathons on her days off.",
    "A first-generation college student in El Paso studying civil engineering while working nights at a grocery store.",
    "A Kenyan long-distance running coach who tracks every athlete's splits in a battered notebook.",
    "A sourdough-obsessed software tester in Helsinki who bakes for the whole office every Friday.",
    "A beekeeper in rural Slovenia who sells honey at the weekly market and worries about varroa mites.",
    "An eleven-year-old chess prodigy from Chennai preparing for a national junior tournament.",
    "A theatre lighting designer in London who plots cues on spreadsheets and collects antique lanterns.",
    "A grandmother in Oaxaca who teaches her grandchildren to make mole from a family recipe.",
    "A wildlife photographer in Botswana who spends weeks waiting in hides for leopards.",
    "A wheelchair basketball player and part-time accountant from Melbourne.",
    "A volunteer firefighter in a small town in Oregon who also manages the local hardware store.",
    "A doctoral student in marine biology in Hobart studying the migration of southern right whales.",
    "A vintage synthesizer repair technician in Berlin with a workshop full of oscilloscopes.",
    "A sheep farmer in the Scottish Highlands who writes poetry in Gaelic during lambing season.",
    "A high school robotics club mentor in Detroit who used to build engines for a car maker.",
    "A hospice chaplain in Toronto who listens to patients' life stories and plays the cello.",
    "A street food vendor in Bangkok who has perfected a single noodle dish over twenty years.",
    "A newly hired air traffic controller in Denver learning to handle winter storm traffic.",
    "A semi-retired tax lawyer in Zurich who spends summers hiking every trail in the Engadin.",
    "A Brazilian capoeira teacher in Lisbon who runs free classes for refugee children.",
    "A museum conservator in Kyoto who restores folding screens painted in the Edo period.",
    "A long-haul truck driver from Saskatchewan who listens to history podcasts on the road.",
    "A teenage climate activist in Jakarta organising school strikes over group chats.",
    "A cryptographer working for a bank in Singapore who solves crossword puzzles in three languages.",
    "A midwife in rural Ghana who cycles between villages with a solar-powered lamp.",
    "An urban planner in Bogota redesigning bus routes around the TransMilenio network.",
    "A competitive ballroom dancer and dental hygienist from Warsaw.",
    "A park ranger in Yellowstone who counts bison from a spotting scope every dawn.",
    "A self-taught game developer in Manchester releasing a pixel-art platformer on weekends.",
    "A father of three in Cairo who runs a small pharmacy and repairs radios as a hobby.",
    "A Mongolian eagle hunter's daughter who studies veterinary science in Ulaanbaatar.",
    "A cruise ship pastry chef from Naples who has crossed the Atlantic forty times.",
    "An elderly stamp collector in Vienna cataloguing postage from the Austro-Hungarian empire.",
    "A data journalist in Nairobi fact-checking election results with open government records.",
    "A glassblower in Murano who learned the trade from his uncle at fourteen.",
    "A research chemist in Basel developing slow-release fertilisers for dry climates.",
    "A stay-at-home parent in Ohio who coupons meticulously and runs a neighbourhood book swap.",
    "A kindergarten teacher in Seoul who writes picture books about dinosaurs.",
    "An offshore wind turbine technician from Esbjerg who climbs towers in the North Sea.",
    "A flamenco guitarist in Seville who gives lessons to tourists and records at night.",
    "A senior product manager at a fintech startup in Lagos who mentors young women in tech.",
    "A geologist in Iceland who monitors volcanic gas emissions near Reykjanes.",
    "A cartographer in Quebec City who draws hand-lettered maps for hiking guides.",
    "A village schoolteacher in Nepal who walks two hours each way to the school.",
    "A professional esports coach in Busan analysing replays frame by frame.",
    "A mushroom forager and pharmacist from the Pacific Northwest who leads autumn walks.",
    "A former Olympic swimmer now coaching a masters swim team in Budapest.",
    "An archivist at a public library in Chicago digitising old neighbourhood newspapers.",
    "A ship's navigator in the Greek merchant navy who studies celestial navigation for fun.",
]

OCCUPATIONS = [
    "pediatric nurse", "structural engineer", "high school chemistry teacher", "tax accountant", "dairy farmer",
    "bus driver", "emergency physician", "landscape architect", "court interpreter", "electrician",
    "bakery owner", "railway signal engineer", "veterinary surgeon", "real estate agent", "librarian",
    "social worker", "commercial pilot", "wedding photographer", "plumber", "pharmacist",
    "orchestra violinist", "civil servant in the housing department", "hotel receptionist", "physiotherapist",
    "insurance claims adjuster", "carpenter", "radio presenter", "sommelier", "logistics coordinator",
    "speech therapist", "air conditioning technician", "textile designer", "customs officer", "dental surgeon",
    "primary school headteacher", "marine mechanic", "financial analyst", "forest firefighter", "barista",
    "video editor", "immigration lawyer", "quality inspector at a car plant", "museum guide", "locksmith",
    "epidemiologist", "ferry captain", "tailor", "occupational therapist", "data engineer", "tea plantation manager",
    "sound engineer", "zookeeper", "actuary", "night-shift security guard", "cheesemaker", "hospital administrator",
    "fashion buyer", "surveyor", "mathematics lecturer", "organic vegetable grower", "crane operator",
    "translator of children's books", "family doctor", "interior designer", "wind farm operator",
    "police dispatcher", "furniture restorer", "HR manager at a shipping company", "optometrist", "jeweller",
    "copywriter", "seismologist", "school bus mechanic", "florist", "UX researcher", "fishmonger",
    "astronomy outreach officer", "construction site foreman", "flight attendant", "bookshop owner",
    "hydrologist", "ambulance paramedic", "newspaper editor", "yoga instructor", "wine grower", "cybersecurity analyst",
    "piano tuner", "public health inspector", "event planner", "blacksmith", "clinical psychologist",
]

PLACES = [
    "Lyon", "Osaka", "Nairobi", "Cape Town", "Montreal", "Valparaiso", "Kraków", "Hanoi", "Adelaide", "Tbilisi",
    "Accra", "Porto", "Edinburgh", "Guadalajara", "Austin", "Dhaka", "Reykjavik", "Marrakesh", "Tallinn", "Cebu",
    "Wellington", "Bergen", "Kolkata", "Medellin", "Istanbul", "Dublin", "Ljubljana", "Halifax", "Kampala", "Perth",
    "Tucson", "Seville", "Yogyakarta", "Gdansk", "Calgary", "Lusaka", "Rotterdam", "Amman", "Bratislava",
    "New Orleans", "Cusco", "Almaty", "Trondheim", "Pune", "Savannah", "Cork", "Daegu", "Thessaloniki",
    "Addis Ababa", "a fishing village in Brittany", "a mountain town in Colorado", "a farming community in Iowa",
    "a suburb of Johannesburg", "an island in the Philippines", "a market town in Yorkshire", "rural Hokkaido",
    "a district on the outskirts of Lima", "a border town in Texas", "the Scottish Borders", "a village in the Dolomites",
]

STAGES = ["young", "newly qualified", "mid-career", "veteran", "semi-retired", "ambitious", "soft-spoken", "meticulous",
          "cheerful", "overworked", "curious", "recently promoted"]

EXPERIENCE = [
    "twenty years of experience", "a decade in the job", "only six months on the job",
    "a reputation for patience", "a habit of double-checking everything", "a second career after the army",
    "a background in mathematics", "a night-school diploma", "a love of old manuals",
    "a small team of apprentices", "a fondness for spreadsheets", "a knack for explaining things simply",
]

HOBBIES = [
    "restores vintage motorcycles", "keeps bees on the roof of an apartment block", "plays bass in a jazz trio",
    "trains for half marathons", "builds model railways", "grows chillies on a balcony",
    "collects vinyl records from the 1970s", "volunteers at an animal shelter", "paints watercolour landscapes",
    "brews cider from local apples", "sails a small dinghy on weekends", "writes crime novels that nobody has read yet",
    "teaches chess at a community centre", "knits sweaters for the whole family", "birdwatches at dawn",
    "coaches an under-twelve football team", "restores old clocks", "cooks elaborate curries for friends",
    "practises judo", "photographs abandoned factories", "learns Japanese from anime", "plays in a pub quiz league",
    "maintains a sprawling allotment", "climbs at an indoor bouldering gym", "sings in a gospel choir",
    "fixes neighbours' bicycles for free", "makes pottery on a kick wheel", "runs a tabletop role-playing campaign",
    "studies the history of the Silk Road", "keeps tropical fish", "goes wild swimming in cold lakes",
    "builds furniture from reclaimed wood", "plays competitive badminton", "keeps a detailed weather journal",
    "grows bonsai trees", "writes a blog about regional train timetables", "dances salsa twice a week",
    "repairs vintage typewriters", "plays the bagpipes", "forages for wild herbs", "rides a recumbent bicycle to work",
    "collects antique maps", "breeds homing pigeons", "plays the harmonica badly but happily",
    "volunteers as a literacy tutor", "does stand-up comedy at open mic nights", "builds drones from kits",
    "paddles a sea kayak along the coast", "keeps chickens in the backyard", "solves cryptic crosswords",
    "is learning to fly gliders", "makes cheese at home", "restores wooden boats", "plays ice hockey in a beer league",
    "sews costumes for amateur theatre", "follows every cricket test match", "writes haiku on the commute",
    "volunteers with a mountain rescue team", "is learning to code in Python from online courses", "is learning the violin at fifty",
]

STUDY_FIELDS = [
    "economics", "nursing", "mechanical engineering", "medieval history", "computer science", "agronomy",
    "architecture", "linguistics", "statistics", "oceanography", "music composition", "public health",
    "physics", "graphic design", "accounting", "philosophy", "veterinary medicine", "environmental law",
]
LEVELS = ["first-year", "second-year", "final-year", "part-time", "mature", "exchange", "master's", "PhD"]

RETIRED_DOING = [
    "now tutors teenagers in algebra", "now volunteers at a food bank", "now travels in a camper van",
    "now restores a stone cottage", "now writes a local history column", "now referees youth rugby",
    "now grows prize-winning pumpkins", "now guides walking tours of the old town", "now plays golf three times a week",
    "now builds birdhouses for the neighbourhood", "now learns to paint portraits", "now sits on the parish council",
]


def article(word):
    """English indefinite article by sound: "an 82-year-old", "a UX researcher", "an ambulance"."""
    if word[0].isdigit():
        return "An" if word.startswith("8") or word.split("-")[0] in ("11", "18") else "A"
    if word.startswith("UX") or word.startswith("uni"):
        return "A"
    return "An" if word[0].lower() in "aeiou" else "A"


def compose(rng):
    kind = rng.randrange(7)
    occ, place, hobby = rng.choice(OCCUPATIONS), rng.choice(PLACES), rng.choice(HOBBIES)
    if kind == 0:
        stage = rng.choice(STAGES)
        return f"{article(stage)} {stage} {occ} in {place} who {hobby}."
    if kind == 1:
        return f"{article(occ)} {occ} from {place} with {rng.choice(EXPERIENCE)} who {hobby}."
    if kind == 2:
        age = rng.randrange(24, 61)
        return f"{article(str(age))} {age}-year-old {occ} living in {place} who {hobby}."
    if kind == 3:
        level, field = rng.choice(LEVELS), rng.choice(STUDY_FIELDS)
        return f"{article(level)} {level} {field} student in {place} who {hobby}."
    if kind == 4:
        return f"A retired {occ} from {place} who {rng.choice(RETIRED_DOING)}."
    if kind == 5:
        return f"{article(occ)} {occ} with {rng.choice(EXPERIENCE)}, based in {place}, who {hobby} in any spare hour."
    age = rng.randrange(62, 86)
    return f"{article(str(age))} {age}-year-old former {occ} in {place} who {hobby}."


def words(text):
    return set(re.findall(r"[a-z0-9']+", text.lower()))


def main():
    rng = random.Random(20240801)
    personas = list(HAND_WRITTEN)
    seen = [words(p) for p in personas]
    while len(personas) < 320:
        p = compose(rng)
        w = words(p)
        if any(len(w & s) / len(w | s) >= 0.5 for s in seen):
            continue
        personas.append(p)
        seen.append(w)
    for p in personas:
        print(json.dumps({"persona": p}, ensure_ascii=False))


if __name__ == "__main__":
    main()
