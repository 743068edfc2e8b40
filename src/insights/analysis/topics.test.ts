import { describe, expect, it } from 'vitest';
import { findTopics } from './topics.js';

describe('lexical topic clustering', () => {
  it('separates texts about different things, names each topic by its words and picks typical quotes', () => {
    const delivery = [
      'Leveransen var försenad',
      'Paketet kom för sent, leveransen tog en vecka',
      'Paketet kom sent och leveransen var försenad',
      'Leveransen dröjde och paketet var skadat',
    ];
    const coffee = [
      'Kaffet var gott och bullarna färska',
      'Gott kaffe, goda bullar',
      'Bästa kaffet i stan, fina bullar',
      'Kaffe och kanelbullar i världsklass',
    ];
    const inputs = [...delivery, ...coffee].flatMap((text, index) => [
      { id: `a-${index}`, text },
      { id: `b-${index}`, text: `${text}!` },
    ]);
    const { topics, assignments } = findTopics(inputs, { k: 2 });
    expect(topics).toHaveLength(2);
    const topicOf = (id: string) => assignments.find((assignment) => assignment.id === id)!.topic;
    // Every delivery text in one topic, every coffee text in the other.
    const deliveryTopic = topicOf('a-0');
    for (let index = 0; index < delivery.length; index += 1)
      expect(topicOf(`a-${index}`)).toBe(deliveryTopic);
    for (let index = delivery.length; index < inputs.length / 2; index += 1)
      expect(topicOf(`a-${index}`)).not.toBe(deliveryTopic);
    expect(topics[deliveryTopic]!.terms.join(' ')).toMatch(/leveransen|paketet/);
    expect(topics[1 - deliveryTopic]!.terms.join(' ')).toMatch(/kaffe|bullar/);
    expect(topics[deliveryTopic]!.typicalIds).toHaveLength(3);
    // The same texts give the same topics.
    expect(findTopics(inputs, { k: 2 })).toEqual({ topics, assignments });
  });

  it('gives no topics for too few texts', () => {
    expect(findTopics([{ id: '1', text: 'Bra' }])).toEqual({ topics: [], assignments: [] });
  });
});
