"""Lab 3: word counts."""
import string


def clean(word):
    return word.strip(string.punctuation)


def count_words(text):
    counts = {}
    for word in text.split():
        word = clean(word)
        counts[word] = counts.get(word, 0) + 1
    return counts


def most_common(counts, n=3):
    return sorted(counts.items(), key=lambda kv: -kv[1])[:n]


if __name__ == "__main__":
    print(most_common(count_words(open("essay.txt").read())))
