// The demo catalog: ten departments of made-up brands. Products are generated from
// these lists deterministically, so every start and every machine gets the same SKUs.

export interface SeedCategory {
  id: string;
  name: string;
  description: string;
  brands: string[];
  /** [product type, description, price range in cents, typical weight in grams] */
  kinds: Array<[string, string, [number, number], number]>;
}

export const seedCategories: SeedCategory[] = [
  {
    id: 'audio',
    name: 'Audio',
    description: 'Headphones, speakers and everything in between.',
    brands: ['Auralis', 'Sonora', 'Bassline', 'Quietude'],
    kinds: [
      [
        'Wireless Headphones',
        'Over-ear headphones with 40-hour battery life and a fold-flat design.',
        [5900, 34900],
        280,
      ],
      [
        'Noise-Cancelling Headphones',
        'Adaptive noise cancelling that tunes itself to the room you are in.',
        [12900, 44900],
        300,
      ],
      [
        'True Wireless Earbuds',
        'Pocket-sized earbuds with a charging case and sweat resistance.',
        [3900, 24900],
        60,
      ],
      [
        'Bluetooth Speaker',
        'Waterproof speaker with 360-degree sound for the beach or the bath.',
        [2900, 19900],
        540,
      ],
      ['Soundbar', 'Slim soundbar with dialogue enhancement for films and sport.', [14900, 79900], 3200],
      ['Turntable', 'Belt-drive record player with a built-in phono preamp.', [9900, 59900], 4500],
    ],
  },
  {
    id: 'computers',
    name: 'Computers',
    description: 'Laptops, monitors, keyboards and the cables that connect them.',
    brands: ['Northbyte', 'Kestrel', 'Lumen', 'Vertex'],
    kinds: [
      ['Ultrabook Laptop', 'A 14-inch laptop under 1.3 kg with an all-day battery.', [69900, 189900], 1250],
      [
        'Gaming Laptop',
        'A 16-inch laptop with a 240 Hz display and a dedicated GPU.',
        [119900, 299900],
        2400,
      ],
      ['4K Monitor', 'A 27-inch IPS monitor with USB-C power delivery.', [24900, 79900], 6100],
      [
        'Mechanical Keyboard',
        'Hot-swappable switches, aluminium case and per-key lighting.',
        [6900, 22900],
        900,
      ],
      ['Wireless Mouse', 'An ergonomic mouse with silent clicks and a 70-day battery.', [1900, 11900], 100],
      ['USB-C Dock', 'One cable for two displays, Ethernet, SD cards and charging.', [7900, 29900], 350],
    ],
  },
  {
    id: 'phones',
    name: 'Phones & Tablets',
    description: 'Smartphones, tablets and the accessories they need.',
    brands: ['Orbit', 'Pebble', 'Nimbus', 'Zephyr'],
    kinds: [
      [
        'Smartphone',
        'A 6.1-inch OLED phone with a triple camera and five years of updates.',
        [39900, 129900],
        180,
      ],
      ['Tablet', 'An 11-inch tablet with a stylus that feels like paper.', [29900, 109900], 470],
      ['Phone Case', 'A slim case with raised edges that survives a 3 m drop.', [1500, 5900], 40],
      ['Wireless Charger', 'A 15 W charging pad that works through most cases.', [1900, 6900], 150],
      ['Screen Protector', 'Tempered glass with an alignment frame for a bubble-free fit.', [900, 3900], 30],
      ['Power Bank', 'A 20,000 mAh power bank that charges a laptop over USB-C.', [2900, 9900], 420],
    ],
  },
  {
    id: 'cameras',
    name: 'Cameras',
    description: 'Cameras, lenses and gear for photographers and filmmakers.',
    brands: ['Aperture', 'Foton', 'Halide', 'Prisma'],
    kinds: [
      [
        'Mirrorless Camera',
        'A 24-megapixel full-frame body with in-body stabilisation.',
        [99900, 299900],
        650,
      ],
      [
        'Action Camera',
        'A rugged 5K camera that goes 10 m underwater without a housing.',
        [19900, 49900],
        150,
      ],
      ['Prime Lens', 'A fast 50 mm f/1.8 lens for portraits with soft backgrounds.', [19900, 89900], 300],
      ['Tripod', 'A carbon-fibre travel tripod that folds to 40 cm.', [7900, 39900], 1400],
      ['Camera Bag', 'A weatherproof backpack with a padded, configurable insert.', [5900, 19900], 1600],
      ['Memory Card', 'A 128 GB card fast enough for 8K video.', [1900, 12900], 5],
    ],
  },
  {
    id: 'home',
    name: 'Home',
    description: 'Furniture, lighting and everything that makes a house a home.',
    brands: ['Hearth', 'Linden', 'Willow & Oak', 'Casa Nova'],
    kinds: [
      ['Desk Lamp', 'A dimmable LED lamp with adjustable colour temperature.', [2900, 14900], 1200],
      ['Throw Blanket', 'A chunky-knit blanket in organic cotton.', [3900, 12900], 1500],
      ['Storage Basket', 'A woven seagrass basket with handles, set of two.', [1900, 6900], 800],
      ['Wall Clock', 'A silent-sweep clock with a solid oak frame.', [2900, 9900], 900],
      ['Air Purifier', 'A HEPA purifier for rooms up to 40 square metres.', [9900, 39900], 5200],
      ['Smart Thermostat', 'A thermostat that learns your schedule and saves energy.', [12900, 29900], 300],
    ],
  },
  {
    id: 'kitchen',
    name: 'Kitchen',
    description: 'Cookware, appliances and tools for cooks of every kind.',
    brands: ['Copperpot', 'Saltbox', 'Ember', 'Mise'],
    kinds: [
      ['Chef Knife', 'A 20 cm knife forged from Japanese stainless steel.', [3900, 24900], 250],
      ['Cast Iron Skillet', 'A pre-seasoned 26 cm skillet that lasts a lifetime.', [2900, 12900], 2600],
      ['Espresso Machine', 'A 15-bar espresso machine with a steam wand.', [19900, 89900], 7800],
      ['Stand Mixer', 'A 5-litre mixer with dough hook, whisk and paddle.', [24900, 59900], 9500],
      ['Cutting Board', 'An end-grain walnut board with a juice groove.', [3900, 14900], 2200],
      [
        'Electric Kettle',
        'A gooseneck kettle with temperature control for tea and coffee.',
        [3900, 16900],
        1100,
      ],
    ],
  },
  {
    id: 'outdoors',
    name: 'Outdoors',
    description: 'Gear for camping, hiking and long days outside.',
    brands: ['Ridgeline', 'Trailhead', 'Summit', 'Boreal'],
    kinds: [
      [
        'Hiking Backpack',
        'A 45-litre pack with an adjustable back system and rain cover.',
        [8900, 29900],
        1500,
      ],
      ['Two-Person Tent', 'A freestanding tent that pitches in five minutes.', [14900, 59900], 2100],
      ['Sleeping Bag', 'A down bag rated to minus five degrees.', [9900, 39900], 1000],
      ['Trekking Poles', 'Collapsible carbon poles with cork grips, pair.', [4900, 17900], 450],
      ['Headlamp', 'A 400-lumen rechargeable headlamp with a red night mode.', [1900, 8900], 90],
      ['Insulated Bottle', 'Keeps drinks cold for 24 hours or hot for 12.', [1900, 5900], 400],
    ],
  },
  {
    id: 'books',
    name: 'Books',
    description: 'Fiction, non-fiction and handbooks worth keeping.',
    brands: ['Inkwell Press', 'Foxglove Books', 'Meridian', 'Paperlight'],
    kinds: [
      [
        'Distributed Systems Handbook',
        'How replicated systems fail, and how to design ones that do not.',
        [2900, 6900],
        900,
      ],
      ['Field Guide to Birds', 'Illustrated guide to 600 species with range maps.', [1900, 4900], 800],
      ['Cookbook', 'Weeknight recipes in under thirty minutes, with photographs.', [1900, 4500], 1100],
      ['Mystery Novel', 'A locked-room mystery set on a night train across the Alps.', [999, 2499], 400],
      ['Science Fiction Novel', 'A generation ship, a mutiny, and a message from home.', [999, 2499], 450],
      ['Travel Atlas', 'Road maps and city plans with a durable spiral binding.', [2500, 5900], 1300],
    ],
  },
  {
    id: 'toys',
    name: 'Toys & Games',
    description: 'Games for the family and toys that build things.',
    brands: ['Tinkerbox', 'Meeple & Co', 'Brightblock', 'Kite Hill'],
    kinds: [
      ['Board Game', 'A strategy game for two to five players, about an hour a game.', [2900, 7900], 1600],
      ['Building Set', 'A 900-piece construction set with motor and gears.', [3900, 14900], 1800],
      ['Jigsaw Puzzle', 'A 1000-piece puzzle of a hand-drawn city map.', [1500, 3900], 700],
      ['Remote Control Car', 'An all-terrain car that reaches 30 km/h.', [3900, 12900], 1400],
      ['Card Game', 'A fast party game for three to eight players.', [999, 2499], 250],
      ['Wooden Train Set', 'A 60-piece track set with a bridge and three carriages.', [3900, 9900], 2500],
    ],
  },
  {
    id: 'fitness',
    name: 'Fitness',
    description: 'Equipment and wearables for training at home or on the road.',
    brands: ['Pulse', 'Stride', 'Ironfield', 'Flowstate'],
    kinds: [
      ['Yoga Mat', 'A 5 mm natural rubber mat with alignment lines.', [2900, 9900], 2300],
      ['Adjustable Dumbbells', 'A pair that adjusts from 2 to 24 kg with a dial.', [19900, 49900], 48000],
      ['Fitness Tracker', 'Heart rate, sleep and GPS in a 14-day battery.', [4900, 24900], 40],
      ['Running Shoes', 'Cushioned daily trainers with a breathable knit upper.', [7900, 17900], 600],
      ['Resistance Bands', 'A set of five bands from light to extra heavy.', [1500, 4900], 400],
      ['Foam Roller', 'A textured roller for recovery after long runs.', [1900, 5900], 500],
    ],
  },
];

export const colours = ['Black', 'White', 'Graphite', 'Sand', 'Forest', 'Navy', 'Coral', 'Silver'];
export const editions = ['', 'Pro', 'Lite', 'Max', 'Mini', 'Air', 'Plus', 'Classic'];
