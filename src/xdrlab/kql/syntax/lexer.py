"""The KQL lexer: query text to tokens, each with its line and column."""

from __future__ import annotations

import re
from bisect import bisect_right

from xdrlab.kql import diagnostics as diag
from xdrlab.kql.diagnostics import Position
from xdrlab.kql.syntax.tokens import (
    BANG_WORDS,
    HYPHENATED,
    PUNCTUATION,
    TIMESPAN_UNITS,
    Kind,
    Token,
)

_IDENT = re.compile(r"[A-Za-z_$][A-Za-z0-9_]*")
_HYPHEN_TAIL = re.compile(r"-[A-Za-z]+(?:-[A-Za-z]+)*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(?:\d+\.\d+|\d+)(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?")
_UNIT = re.compile(r"[A-Za-z]+")
_SPACE = re.compile(r"(?:[\s\u200b\ufeff]+|//[^\n]*)+")
_BANG = re.compile(r"![A-Za-z_]+~?")
_TYPED_LITERALS = frozenset({"datetime", "time", "timespan", "guid"})
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "0": "\0"}


class Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = 0
        self.newlines = [i for i, c in enumerate(text) if c == "\n"]
        self.tokens: list[Token] = []

    def position(self, offset: int) -> Position:
        line = bisect_right(self.newlines, offset - 1)
        start = self.newlines[line - 1] + 1 if line else 0
        return Position(line + 1, offset - start + 1)

    def fail(self, offset: int) -> diag.KqlError:
        end = offset + 1
        while end < len(self.text) and not self.text[end].isspace() and end - offset < 20:
            end += 1
        return diag.syntax_error(self.text[offset:end], self.position(offset))

    def run(self) -> list[Token]:
        text = self.text
        n = len(text)
        while True:
            m = _SPACE.match(text, self.offset)
            if m:
                self.offset = m.end()
            if self.offset >= n:
                break
            self.tokens.append(self.next_token())
        self.tokens.append(Token(Kind.END, "", self.position(n)))
        return self.tokens

    def next_token(self) -> Token:
        text = self.text
        start = self.offset
        ch = text[start]
        pos = self.position(start)
        if ch in "\"'":
            value, end = self.read_string(start)
            return self.done(Kind.STRING, start, end, pos, value)
        if ch == "@" and start + 1 < len(text) and text[start + 1] in "\"'":
            value, end = self.read_verbatim(start + 1)
            return self.done(Kind.STRING, start, end, pos, value)
        if text.startswith("```", start):
            close = text.find("```", start + 3)
            if close < 0:
                raise self.fail(start)
            return self.done(Kind.STRING, start, close + 3, pos, text[start + 3 : close])
        if ch.isdigit() or (ch == "." and start + 1 < len(text) and text[start + 1].isdigit()):
            return self.read_number(start, pos)
        m = _IDENT.match(text, start)
        if m:
            return self.read_word(m, pos)
        if ch == "!":
            bm = _BANG.match(text, start)
            if bm and bm.group()[1:] in BANG_WORDS:
                return self.done(Kind.BANG_WORD, start, bm.end(), pos, bm.group())
            if bm and bm.group().endswith("~") and bm.group()[1:-1] in BANG_WORDS:
                return self.done(Kind.BANG_WORD, start, bm.end(), pos, bm.group())
        for p in PUNCTUATION:
            if text.startswith(p, start):
                return self.done(Kind.PUNCT, start, start + len(p), pos, p)
        raise self.fail(start)

    def done(self, kind: Kind, start: int, end: int, pos: Position, value: object) -> Token:
        self.offset = end
        return Token(kind, self.text[start:end], pos, value)

    def read_word(self, m: re.Match[str], pos: Position) -> Token:
        text = self.text
        start, end = m.start(), m.end()
        word = m.group()
        # Obfuscated strings: h"..." / H'...' / h@"..."
        if word in ("h", "H") and end < len(text):
            if text[end] in "\"'":
                value, close = self.read_string(end)
                return self.done(Kind.STRING, start, close, pos, value)
            if text[end] == "@" and end + 1 < len(text) and text[end + 1] in "\"'":
                value, close = self.read_verbatim(end + 1)
                return self.done(Kind.STRING, start, close, pos, value)
        hm = _HYPHEN_TAIL.match(text, end)
        if hm and (word + hm.group()).lower() in HYPHENATED:
            return self.done(Kind.IDENT, start, hm.end(), pos, word + hm.group())
        if word == "in" and text.startswith("~", end):
            return self.done(Kind.IDENT, start, end + 1, pos, "in~")
        if word in _TYPED_LITERALS:
            j = end
            while j < len(text) and text[j] in " \t":
                j += 1
            if j < len(text) and text[j] == "(":
                close = text.find(")", j)
                if close < 0:
                    raise self.fail(start)
                raw = text[j + 1 : close].strip()
                return self.done(Kind.TYPED, start, close + 1, pos, (word, raw))
        return self.done(Kind.IDENT, start, end, pos, word)

    def read_string(self, start: int) -> tuple[str, int]:
        text = self.text
        quote = text[start]
        out: list[str] = []
        i = start + 1
        n = len(text)
        while i < n:
            c = text[i]
            if c == quote:
                return "".join(out), i + 1
            if c == "\n":
                break
            if c == "\\":
                if i + 1 >= n:
                    break
                e = text[i + 1]
                if e in _ESCAPES:
                    out.append(_ESCAPES[e])
                    i += 2
                    continue
                if e == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                    out.append(chr(int(text[i + 2 : i + 6], 16)))
                    i += 6
                    continue
                if e == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", text[i + 2 : i + 4]):
                    out.append(chr(int(text[i + 2 : i + 4], 16)))
                    i += 4
                    continue
                # Kusto keeps unknown escapes as-is (regex strings rely on this).
                out.append(c)
                out.append(e)
                i += 2
                continue
            out.append(c)
            i += 1
        raise self.fail(start)

    def read_verbatim(self, start: int) -> tuple[str, int]:
        text = self.text
        quote = text[start]
        out: list[str] = []
        i = start + 1
        n = len(text)
        while i < n:
            c = text[i]
            if c == quote:
                if i + 1 < n and text[i + 1] == quote:
                    out.append(quote)
                    i += 2
                    continue
                return "".join(out), i + 1
            if c == "\n":
                break
            out.append(c)
            i += 1
        raise self.fail(start - 1)

    def read_number(self, start: int, pos: Position) -> Token:
        text = self.text
        m = _NUMBER.match(text, start)
        if m is None:  # pragma: no cover - guarded by the caller
            raise self.fail(start)
        raw = m.group()
        end = m.end()
        um = _UNIT.match(text, end)
        if um:
            unit = um.group()
            if unit.lower() not in TIMESPAN_UNITS or raw.lower().startswith("0x"):
                raise self.fail(start)
            try:
                micros = round(float(raw) * TIMESPAN_UNITS[unit.lower()])
            except (ValueError, OverflowError):
                raise self.fail(start) from None
            return self.done(Kind.TIMESPAN, start, um.end(), pos, micros)
        if raw.lower().startswith("0x"):
            return self.done(Kind.LONG, start, end, pos, int(raw, 16))
        if re.fullmatch(r"\d+", raw):
            return self.done(Kind.LONG, start, end, pos, int(raw))
        try:
            value = float(raw)
        except ValueError:  # pragma: no cover - the pattern only matches floats
            raise self.fail(start) from None
        return self.done(Kind.REAL, start, end, pos, value)


def tokenize(text: str) -> list[Token]:
    return Lexer(text).run()
