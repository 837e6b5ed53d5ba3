// Texts of the page a browser gets for an address the site does not have (served with status 404).
'use strict';

KQ.addTexts({
  ru: {
    'notFound.title': 'Страница не найдена — очередь в детские сады',
    'notFound.heading': 'Такой страницы нет',
    'notFound.text': 'Возможно, в адресе опечатка или страница переехала. Вот что есть на сайте:',
  },
  en: {
    'notFound.title': 'Page not found — kindergarten queue',
    'notFound.heading': 'There is no such page',
    'notFound.text': 'The address may have a typo, or the page has moved. This is what the site has:',
  },
});
