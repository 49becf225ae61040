"""The real bot over REST: action server + Rasa server started on free ports by the fixture.

Each question goes through NLU, the dialogue rules, the action server and the knowledge file;
the assertions check the facts in the reply.
"""
import uuid

import pytest

from bot.knowledge import load

KB = load()


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


# (question, facts the reply must contain): at least one question per knowledge entry.
QUESTIONS = [
    ("what is bpo", ["outside provider"]),
    ("why do companies outsource work to other firms?", ["efficiently"]),
    ("difference between voice and non voice process", ["Voice-based BPO", "telemarketing", "payroll processing"]),
    ("which jobs can a fresher get in a bpo", ["Customer Service Executive", "Technical Support Associate",
                                               "Data Entry Operator", "Process Associate"]),
    ("what are the growth opportunities in bpo", ["Team Leader", "Quality Analyst", "Operations Manager",
                                                  "Transition / Migration Manager", "Client Relationship Manager"]),
    ("what does a customer service executive do", ["most common way into BPO"]),
    ("tell me about the technical support associate job", ["hardware, software"]),
    ("what is the role of a data entry operator", ["Keys in, updates and checks data"]),
    ("what does a process associate do", ["finance, HR, healthcare or insurance"]),
    ("what does a team leader do in bpo", ["coach new joiners"]),
    ("what is the work of a quality analyst", ["client's standards"]),
    ("what does an operations manager do", ["managing people"]),
    ("what is a transition manager", ["workflow design"]),
    ("what does a client relationship manager do", ["delivery team"]),
    ("what skills are needed for bpo jobs", ["Communication", "Customer-first mindset", "Basic computer skills",
                                             "Problem solving", "Typing speed and accuracy", "Time management"]),
    ("which certifications are good for a bpo career", ["Six Sigma", "ITIL Foundation",
                                                        "Soft skills and communication training", "CCSP"]),
    ("what is six sigma green belt", ["Yellow Belt, Green Belt"]),
    ("tell me about ITIL foundation", ["IT support"]),
    ("is there any communication course i can do", ["LinkedIn Learning"]),
    ("what is CCSP certification", ["customer-handling"]),
    ("which industries hire bpo people", ["E-commerce", "Healthcare", "Information Technology", "Insurance",
                                          "Banking and financial services", "Telecom", "Travel and hospitality"]),
    ("which companies hire for bpo", ["Accenture", "Concentrix", "Genpact", "IBM", "Infosys BPM", "TCS",
                                      "Teleperformance", "Wipro"]),
    ("any books to read about bpo", ["V. Anandkumar", "Kedar Virkar", "Donnie Baje"]),
    ("is a degree mandatory for bpo", ["without a degree", "prefer graduates"]),
    ("is bpo a stable career", ["promotion paths"]),
    ("what are the shift timings in bpo", ["night and rotating shifts"]),
    ("can i move from bpo to another industry later", ["retail, banking"]),
    ("any advice for starting a career in bpo", ["leadership roles"]),
]


@pytest.mark.parametrize("question, facts", QUESTIONS, ids=[q for q, _ in QUESTIONS])
def test_question_gets_the_guide_facts(bot, question, facts):
    reply = bot.text(new_sender(), question)
    for fact in facts:
        assert fact in reply, reply
    assert "From the guide:" in reply


def test_every_knowledge_entry_is_reached_by_some_question():
    asked = " ".join(f"{q} {' '.join(facts)}" for q, facts in QUESTIONS).lower()
    for entry in KB.all_entries():
        if entry.kind in ("roles", "certifications", "industries", "companies", "books", "skills"):
            names = (entry.name, *entry.synonyms, entry.get("author", entry.name))
            assert any(name.lower() in asked for name in names), entry.id


def test_follow_ups_keep_the_role_in_context(bot):
    sender = new_sender()
    assert "Data Entry Operator" in bot.text(sender, "what does a DEO do?")
    assert "What the Data Entry Operator role asks of you" in bot.text(sender, "what skills do I need for it?")
    assert "doesn't link a particular certification to the Data Entry Operator" in bot.text(
        sender, "which certification helps for that?")
    assert "From Data Entry Operator" in bot.text(sender, "what comes after that role?")
    # A new entity wins over the slot.
    assert "ITIL Foundation" in bot.text(sender, "and which certification helps a tech support associate?")
    assert "From Technical Support Associate" in bot.text(sender, "what comes next after that?")


def test_pick_from_a_list(bot):
    sender = new_sender()
    bot.text(sender, "list the entry level roles")
    assert bot.text(sender, "tell me about the second one").startswith("Technical Support Associate")
    assert "ITIL Foundation" in bot.text(sender, "which certification helps for that?")


def test_buttons_work_as_payloads(bot):
    sender = new_sender()
    messages = bot.say(sender, "hi")
    assert messages[0]["buttons"], messages
    reply = bot.text(sender, '/ask_role{"role": "quality_analyst"}')
    assert reply.startswith("Quality Analyst")
    assert "From Quality Analyst" in bot.text(sender, "/ask_career_path")


@pytest.mark.parametrize("question, gap", [
    ("what is the salary of a customer service executive", "salaries or pay"),
    ("when is the next accenture walk-in interview", "hiring or interview dates"),
    ("what are the visa rules to work in a bpo abroad", "visa"),
])
def test_questions_the_guide_cannot_answer(bot, question, gap):
    reply = bot.text(new_sender(), question)
    assert "doesn't cover" in reply and gap in reply, reply
    assert not any(ch.isdigit() for ch in reply), reply


@pytest.mark.parametrize("message", [
    "what's the weather in delhi today", "how do i open a savings account in a bank",
    "give me a recipe for paneer butter masala", "who won the cricket match yesterday",
])
def test_out_of_domain_gets_a_redirect_not_a_fact(bot, message):
    messages = bot.say(new_sender(), message)
    text = "\n".join(m.get("text", "") for m in messages)
    assert "From the guide:" not in text, text
    assert any(m.get("buttons") for m in messages), messages


@pytest.mark.parametrize("message", [
    "x" * 5000, "🙂🙂🙂", "<script>alert(1)</script>", "¿Cuál es el horario de trabajo?",
    "/start", "/help", '/ask_role{"role": "astronaut"}', "/ask_role{not json",
])
def test_bad_input_gets_a_reply_and_the_conversation_goes_on(bot, message):
    sender = new_sender()
    response = bot.say(sender, message)
    assert response and all("Traceback" not in m.get("text", "") for m in response), response
    assert "night and rotating shifts" in bot.text(sender, "what are the shift timings?")


def test_role_finder_over_rest(bot):
    sender = new_sender()
    first = bot.say(sender, "I'm a graduate and I type fast, which job suits me?")
    text = "\n".join(m.get("text", "") for m in first)
    # Degree and typing came with the first message, so the first question is about calls.
    assert "A few quick yes/no questions" in text and "phone calls" in text and "type" not in text.split("\n")[-1]
    assert [b["payload"] for b in first[-1]["buttons"]] == ["/affirm", "/deny"]
    assert "computer problems" in bot.text(sender, "no")
    reply = bot.text(sender, "/deny")
    assert "night or rotating shifts" in reply
    reply = bot.text(sender, "no")
    assert "1. Process Associate: you're a graduate" in reply
    assert "2. Data Entry Operator: you type fast" in reply
    assert "domestic processes" in reply  # no nights -> the shift note
    # Changing an answer updates the recommendation.
    reply = bot.text(sender, "actually I'm not a graduate, still studying")
    assert "1. Data Entry Operator" in reply and "Process Associate" not in reply
    # The pick is now the role in focus for follow-ups.
    assert "What the Data Entry Operator role asks of you" in bot.text(sender, "what skills do I need for it?")


def test_role_finder_can_be_left_for_another_question(bot):
    sender = new_sender()
    bot.text(sender, "help me choose a role")
    reply = bot.text(sender, "what are the shift timings?")
    assert "night and rotating shifts" in reply
    # The form has ended: a plain "yes" is no longer taken as an answer to its question.
    assert "phone calls" not in bot.text(sender, "what is bpo")
